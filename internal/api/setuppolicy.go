package api

import (
	"context"
	"encoding/json"

	"github.com/reckon-finops/reckon/internal/cost"
)

// SetupPolicies writes the IAM policies an AWS connector's role needs, as
// `reckon aws setup-policy` prints them (iampolicy). A server's Verifier
// offers it when it can, so that the API imports no adapter.
type SetupPolicies interface {
	SetupPolicy(ctx context.Context, conn cost.Connector, req SetupPolicyRequest) (*SetupPolicy, error)
}

// SetupPolicyRequest is where the connector's report is delivered and
// which account Reckon runs as: what the role's policies name.
type SetupPolicyRequest struct {
	Bucket string // required: the bucket the CUR is delivered to
	Prefix string // the report's S3 prefix
	// TrustedAccount is the AWS account whose credentials Reckon uses;
	// empty for a placeholder to replace.
	TrustedAccount string
}

// SetupPolicy is a connector role's policies, ready for the AWS CLI. The
// trust policy names ExternalIDPlaceholder where the connector's external
// ID goes: Reckon never shows it.
type SetupPolicy struct {
	RoleARN           string          `json:"roleArn"`
	PolicyARN         string          `json:"policyArn"`
	TrustedAccount    string          `json:"trustedAccount"`
	PermissionsPolicy json.RawMessage `json:"permissionsPolicy"`
	TrustPolicy       json.RawMessage `json:"trustPolicy"`
	Commands          []string        `json:"commands"` // create the policy, create the role, attach the policy
}

// ExternalIDPlaceholder stands for the connector's external ID in the trust
// policy the API writes.
const ExternalIDPlaceholder = "<EXTERNAL_ID>"

// setupPolicy writes the policies of the connector's role, for a Reader of
// the connector: they hold no secret.
func (s *Server) setupPolicy(c *call) (any, error) {
	conn, err := s.readConnector(c, cost.ActionRead)
	if err != nil {
		return nil, err
	}
	if conn.IsSource() {
		return nil, cost.Errorf(cost.EInvalid, "%s is a %s source: only an AWS connector's role has the policies setup-policy writes", conn.ID, conn.KindOf())
	}
	writer, ok := s.opts.Verifier.(SetupPolicies)
	if !ok {
		return nil, cost.Errorf(cost.EConflict, "this server does not write setup policies: run reckon aws setup-policy")
	}
	q := c.r.URL.Query()
	req := SetupPolicyRequest{Bucket: q.Get("bucket"), Prefix: q.Get("prefix"), TrustedAccount: q.Get("trustedAccount")}
	if req.Bucket == "" {
		return nil, cost.Errorf(cost.EInvalid, "name the S3 bucket the report is delivered to: ?bucket=, and its prefix with ?prefix=")
	}
	return writer.SetupPolicy(c.ctx(), conn, req)
}
