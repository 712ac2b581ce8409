package awsapi

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// Options say which role to assume and where to find the report.
type Options struct {
	// Connector names the connector; the role session is reckon-<Connector>.
	Connector string
	RoleARN   string
	// ExternalID is the shared secret of the role's trust policy. It is
	// never logged, returned or put in an error.
	ExternalID string
	ReportName string
	// BaseEndpoint points every service at one endpoint (the emulator);
	// empty means AWS. S3 then uses path-style addressing.
	BaseEndpoint string
	// S3Endpoint and S3Credentials, when set, read the report bucket from
	// an S3-compatible server with its own keys (a copy of the CUR bucket
	// outside AWS) instead of as the assumed role.
	S3Endpoint    string
	S3Credentials aws.CredentialsProvider
	// RetryDelay is the first pause before a failed download is tried
	// again (doubling after); 0 means 100 ms.
	RetryDelay time.Duration
}

// Client calls AWS as the customer's role.
type Client struct {
	opts    Options
	account string // the account in the role ARN
	sts     *sts.Client
	s3      *s3.Client
	orgs    *organizations.Client
	cur     *costandusagereportservice.Client
	iam     *iam.Client
	ce      *costexplorer.Client
}

// ParseRoleARN returns the account and role name of a role ARN, or an
// Invalid error that shows the expected form.
func ParseRoleARN(arn string) (account, name string, err error) { return cost.ParseRoleARN(arn) }

// New returns a client whose calls run as the role, assumed with Reckon's
// own credentials from base. Credentials are cached and renewed five
// minutes before they expire.
func New(base aws.Config, opts Options) (*Client, error) {
	account, _, err := ParseRoleARN(opts.RoleARN)
	if err != nil {
		return nil, err
	}
	if err := iampolicy.ValidExternalID(opts.ExternalID); err != nil {
		return nil, err
	}
	if opts.BaseEndpoint != "" {
		base.BaseEndpoint = aws.String(opts.BaseEndpoint)
	}
	if base.Region == "" {
		base.Region = "us-east-1" // Organizations, CUR and Cost Explorer live there
	}
	c := &Client{opts: opts, account: account, sts: sts.NewFromConfig(base)}
	role := base.Copy()
	role.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(c.sts, opts.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(opts.ExternalID)
		o.RoleSessionName = sessionName(opts.Connector)
		o.Duration = time.Hour
	}), func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute })
	c.s3 = s3.NewFromConfig(role, func(o *s3.Options) {
		o.UsePathStyle = opts.BaseEndpoint != ""
		o.DisableLogOutputChecksumValidationSkipped = true // CUR objects carry no checksum headers
		if opts.S3Endpoint != "" {
			o.BaseEndpoint, o.UsePathStyle = aws.String(opts.S3Endpoint), true
		}
		if opts.S3Credentials != nil {
			o.Credentials = opts.S3Credentials
		}
	})
	c.orgs = organizations.NewFromConfig(role)
	c.cur = costandusagereportservice.NewFromConfig(role)
	c.iam = iam.NewFromConfig(role)
	c.ce = costexplorer.NewFromConfig(role)
	return c, nil
}

// sessionName is reckon-<connector>, cut to the 64 characters STS allows
// and stripped of characters it does not.
func sessionName(connector string) string {
	name := "reckon-" + regexp.MustCompile(`[^\w+=,.@-]`).ReplaceAllString(connector, "-")
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// assume checks that the role can be assumed, mapping failure to
// FailedToAssumeRole with what to fix.
func (c *Client) assume(ctx context.Context) error {
	_, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(c.opts.RoleARN), RoleSessionName: aws.String(sessionName(c.opts.Connector)),
		ExternalId: aws.String(c.opts.ExternalID),
	})
	if err == nil {
		return nil
	}
	return c.assumeError(err)
}

// assumeError is the connector's FailedToAssumeRole error for err, an
// AssumeRole that failed.
func (c *Client) assumeError(err error) error {
	return &cost.Error{Code: cost.EFailedToAssumeRole, Message: fmt.Sprintf(
		"Reckon could not assume %s (%s). Check that the role exists, that its trust policy names the account "+
			"Reckon runs in, that its sts:ExternalId condition equals the connector's external ID, and that it "+
			"has no MFA condition; `reckon aws setup-policy` prints a correct trust policy.", c.opts.RoleARN, apiCode(err))}
}

// roleFailed returns the FailedToAssumeRole error when err is a call that
// failed because the role's credentials could not be had: the SDK assumes
// the role on the first call that needs it, and reports the failure as
// that call's. It returns nil for any other error.
func (c *Client) roleFailed(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if op, ok := e.(*smithy.OperationError); ok && op.Service() == "STS" {
			return c.assumeError(err)
		}
	}
	return nil
}
