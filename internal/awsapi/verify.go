package awsapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costandusagereportservice"
	curtypes "github.com/aws/aws-sdk-go-v2/service/costandusagereportservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check: errors break collection, warnings reduce detail.
const (
	StatusOK      Status = "ok"
	StatusWarning Status = "warning"
	StatusError   Status = "error"
)

// Check is one verification step, with a code and a message that says what
// to fix when it is not ok.
type Check struct {
	Name    string `json:"name"`
	Status  Status `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// Verification is the outcome of Verify, in the order the checks ran.
type Verification struct {
	Checks []Check `json:"checks"`
}

// OK reports whether no check is an error.
func (v *Verification) OK() bool {
	return !slices.ContainsFunc(v.Checks, func(c Check) bool { return c.Status == StatusError })
}

func (v *Verification) add(name string, status Status, code, format string, args ...any) {
	v.Checks = append(v.Checks, Check{Name: name, Status: status, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Verify runs what the original connector checked on create: assume the
// role, find and check the report definition, list the bucket and download
// a report file, read the organisation's accounts and audit the role's
// policies. It stops at the first check later ones depend on.
func (c *Client) Verify(ctx context.Context) *Verification {
	v := &Verification{}
	if err := c.assume(ctx); err != nil {
		var ce *cost.Error
		errors.As(err, &ce)
		v.add("Assume role", StatusError, ce.Code, "%s", ce.Message)
		return v
	}
	v.add("Assume role", StatusOK, "", "assumed %s with the external ID", c.opts.RoleARN)
	def, ok := c.checkReport(ctx, v)
	if !ok {
		return v
	}
	if c.checkBucket(ctx, v, def) {
		c.checkAccounts(ctx, v)
		c.checkPolicies(ctx, v, def)
	}
	return v
}

// checkReport finds the report definition and checks its settings.
func (c *Client) checkReport(ctx context.Context, v *Verification) (*curtypes.ReportDefinition, bool) {
	const name = "Report definition"
	var found *curtypes.ReportDefinition
	pages := costandusagereportservice.NewDescribeReportDefinitionsPaginator(c.cur, &costandusagereportservice.DescribeReportDefinitionsInput{})
	for pages.HasMorePages() && found == nil {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if isAccessDenied(err) {
				v.add(name, StatusError, cost.EAccessDeniedReportDefinitions,
					"the role may not read report definitions: allow cur:DescribeReportDefinitions on * (%s)", apiCode(err))
			} else {
				v.add(name, StatusError, cost.EAccessDeniedReportDefinitions, "reading report definitions failed: %s", apiCode(err))
			}
			return nil, false
		}
		for i := range page.ReportDefinitions {
			if aws.ToString(page.ReportDefinitions[i].ReportName) == c.opts.ReportName {
				found = &page.ReportDefinitions[i]
			}
		}
	}
	if found == nil {
		v.add(name, StatusError, cost.EFailedToFindReport,
			"no report named %q in account %s: create it in the management account (Billing > Cost & Usage Reports) or fix the report name", c.opts.ReportName, c.account)
		return nil, false
	}
	problems := 0
	bad := func(setting, got, want string) {
		problems++
		v.add(name, StatusError, cost.EReportIsNotValid, "%s is %s: set it to %s", setting, got, want)
	}
	if found.TimeUnit == curtypes.TimeUnitMonthly {
		bad("Time granularity (TimeUnit)", "MONTHLY", "HOURLY")
	}
	if found.Compression == curtypes.CompressionFormatZip {
		bad("Compression", "ZIP", "GZIP")
	}
	if found.Format != curtypes.ReportFormatCsv || found.Compression == curtypes.CompressionFormatParquet {
		bad("Format", string(found.Format), "textORcsv with GZIP compression (this build reads CSV)")
	}
	if problems > 0 {
		return nil, false
	}
	if found.TimeUnit == curtypes.TimeUnitDaily {
		v.add(name, StatusWarning, "", "Time granularity is DAILY: set it to HOURLY for hourly detail")
	}
	if !slices.Contains(found.AdditionalSchemaElements, curtypes.SchemaElementResources) {
		v.add(name, StatusWarning, "", "the report has no resource IDs: tick \"Include resource IDs\" (RESOURCES) for costs by resource")
	}
	v.add(name, StatusOK, "", "report %q: %s, %s, %s, s3://%s/%s", c.opts.ReportName, found.TimeUnit, found.Format, found.Compression,
		aws.ToString(found.S3Bucket), aws.ToString(found.S3Prefix))
	return found, true
}

// reportPrefix is where the report's files live in its bucket.
func reportPrefix(def *curtypes.ReportDefinition) string {
	prefix := strings.Trim(aws.ToString(def.S3Prefix), "/")
	if prefix != "" {
		prefix += "/"
	}
	return prefix + aws.ToString(def.ReportName) + "/"
}

// checkBucket lists the report's folder and downloads its newest manifest.
func (c *Client) checkBucket(ctx context.Context, v *Verification, def *curtypes.ReportDefinition) bool {
	bucket, prefix := aws.ToString(def.S3Bucket), reportPrefix(def)
	out, err := c.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/")})
	if err != nil {
		v.add("List reports", StatusError, cost.EAccessDeniedListReports,
			"the role may not list s3://%s/%s: allow s3:ListBucket on arn:aws:s3:::%s (%s)", bucket, prefix, bucket, apiCode(err))
		return false
	}
	var periods []string
	for _, p := range out.CommonPrefixes {
		periods = append(periods, aws.ToString(p.Prefix))
	}
	if len(periods) == 0 {
		v.add("List reports", StatusWarning, "", "no report delivered yet under s3://%s/%s: AWS delivers the first within 24 hours", bucket, prefix)
		return true
	}
	slices.Sort(periods)
	v.add("List reports", StatusOK, "", "%d billing periods under s3://%s/%s", len(periods), bucket, prefix)
	newest := periods[len(periods)-1]
	key := newest + aws.ToString(def.ReportName) + "-Manifest.json"
	obj, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		v.add("Download report", StatusError, cost.EAccessDeniedDownloadReport,
			"the role may not read s3://%s/%s: allow s3:GetObject on arn:aws:s3:::%s/%s* (%s)", bucket, key, bucket, prefix, apiCode(err))
		return false
	}
	obj.Body.Close()
	v.add("Download report", StatusOK, "", "read s3://%s/%s", bucket, key)
	return true
}

// checkAccounts reads the organisation; without it accounts keep their ids.
func (c *Client) checkAccounts(ctx context.Context, v *Verification) {
	n := 0
	pages := organizations.NewListAccountsPaginator(c.orgs, &organizations.ListAccountsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			v.add("Organization accounts", StatusWarning, "", "the role may not list the organisation's accounts (%s): allow organizations:ListAccounts, or linked accounts are named by their ids", apiCode(err))
			return
		}
		n += len(page.Accounts)
	}
	v.add("Organization accounts", StatusOK, "", "%d accounts", n)
}

// checkPolicies audits the role's attached policies against least
// privilege. The IAM reads it makes are scoped to the role's ARN and its
// policies' ARNs; the audit accepts them there or, with a warning, on "*".
func (c *Client) checkPolicies(ctx context.Context, v *Verification, def *curtypes.ReportDefinition) {
	const name = "Least privilege"
	_, role, _ := ParseRoleARN(c.opts.RoleARN)
	attached, err := c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		v.add(name, StatusWarning, "", "the role may not read its own policies (%s): allow iam:ListAttachedRolePolicies on %s, and iam:ListPolicyVersions and iam:GetPolicyVersion on the ARNs of the policies attached to it, so Reckon can check it was given no more than it needs (`reckon aws setup-policy` prints them)",
			apiCode(err), c.opts.RoleARN)
		return
	}
	target := iampolicy.Target{Bucket: aws.ToString(def.S3Bucket), Prefix: strings.TrimSuffix(reportPrefix(def), aws.ToString(def.ReportName)+"/"),
		RoleARN: c.opts.RoleARN}
	var docs []*iampolicy.Document
	for _, p := range attached.AttachedPolicies {
		arn := aws.ToString(p.PolicyArn)
		target.PolicyARNs = append(target.PolicyARNs, arn)
		doc, err := c.policyDocument(ctx, arn)
		if err != nil {
			v.add(name, StatusWarning, "", "policy %s could not be read (%v): allow iam:ListPolicyVersions and iam:GetPolicyVersion on %s", arn, err, arn)
			continue
		}
		docs = append(docs, doc)
	}
	findings := target.Audit(docs)
	for _, f := range findings {
		status := StatusWarning
		if f.Severity == iampolicy.SeverityError {
			status = StatusError
		}
		v.add(name, status, f.Code, "%s", f.Message)
	}
	if len(findings) == 0 {
		v.add(name, StatusOK, "", "the role's %d policies grant exactly what the connector needs", len(docs))
	}
}

// policyDocument reads the default version of a managed policy.
func (c *Client) policyDocument(ctx context.Context, arn string) (*iampolicy.Document, error) {
	versions, err := c.iam.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("list versions: %s", apiCode(err))
	}
	for _, ver := range versions.Versions {
		if !ver.IsDefaultVersion {
			continue
		}
		out, err := c.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: ver.VersionId})
		if err != nil {
			return nil, fmt.Errorf("get version: %s", apiCode(err))
		}
		doc, err := iampolicy.Parse(aws.ToString(out.PolicyVersion.Document))
		if err != nil {
			return nil, err
		}
		doc.Name = arn
		return doc, nil
	}
	return nil, errors.New("no default version")
}

// apiCode is the AWS error code of err, or its text.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

func isAccessDenied(err error) bool {
	code := apiCode(err)
	return strings.Contains(code, "AccessDenied") || code == "UnauthorizedOperation"
}
