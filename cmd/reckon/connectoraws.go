package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// CostExplorerTotals asks Cost Explorer, through an AWS connector's role,
// for its monthly totals per linked account (api.CostExplorer).
func (c *collector) CostExplorerTotals(ctx context.Context, conn cost.Connector, start, end time.Time, metrics ...cost.Metric) (map[cost.Metric]map[cost.MonthAccount]decimal.Decimal, error) {
	client, err := c.aws.client(ctx, conn)
	if err != nil {
		return nil, err
	}
	return client.CostExplorerTotals(ctx, start, end, metrics...)
}

// legacyBucketName is the name of a bucket made before S3's rules were
// tightened (old us-east-1 buckets), which setup-policy only warns about.
var legacyBucketName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$`)

// connectorPolicyName is the permissions policy's name in what the API
// writes, as setup-policy's default.
const connectorPolicyName = "reckon-connector"

// SetupPolicy writes the policies of a connector's role, as setup-policy
// prints them for the role in its ARN (api.SetupPolicies). The trust
// policy names api.ExternalIDPlaceholder, never the connector's external
// ID; an empty trusted account is accountPlaceholder's twin.
func (c *collector) SetupPolicy(_ context.Context, conn cost.Connector, req api.SetupPolicyRequest) (*api.SetupPolicy, error) {
	account, roleName, err := cost.ParseRoleARN(conn.RoleARN)
	if err != nil {
		return nil, err
	}
	trusted := req.TrustedAccount
	switch {
	case trusted == "":
		trusted = "<RECKON_ACCOUNT>"
	case !accountID.MatchString(trusted):
		return nil, cost.Errorf(cost.EInvalid, "trusted account %s is not an AWS account ID: 12 digits (keep leading zeros)", cost.Quote(trusted))
	}
	if !bucketName.MatchString(req.Bucket) && !legacyBucketName.MatchString(req.Bucket) {
		return nil, cost.Errorf(cost.EInvalid, "bucket %s is not an S3 bucket name: 3 to 63 of a-z, 0-9, '.' and '-'", cost.Quote(req.Bucket))
	}
	if !s3Prefix.MatchString(req.Prefix) {
		return nil, cost.Errorf(cost.EInvalid, "prefix %s: up to 256 of letters, digits and !-_.*'()/", cost.Quote(req.Prefix))
	}
	_, rest, _ := strings.Cut(conn.RoleARN, ":role")
	rolePath := strings.TrimSuffix(rest, roleName) // "/" or "/path/"
	policyARN := "arn:aws:iam::" + account + ":policy/" + connectorPolicyName
	target := iampolicy.Target{Bucket: req.Bucket, Prefix: req.Prefix, RoleARN: conn.RoleARN, PolicyARNs: []string{policyARN}}
	pathFlag := ""
	if rolePath != "/" {
		pathFlag = " --path " + rolePath
	}
	return &api.SetupPolicy{
		RoleARN: conn.RoleARN, PolicyARN: policyARN, TrustedAccount: trusted,
		PermissionsPolicy: json.RawMessage(target.PermissionsPolicy()),
		TrustPolicy:       json.RawMessage(iampolicy.TrustPolicy(trusted, api.ExternalIDPlaceholder)),
		Commands: []string{
			"aws iam create-policy --policy-name " + connectorPolicyName + " --policy-document file://permissions.json",
			"aws iam create-role --role-name " + roleName + pathFlag + " --assume-role-policy-document file://trust.json",
			"aws iam attach-role-policy --role-name " + roleName + " --policy-arn " + policyARN,
		},
	}, nil
}
