package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/pflag"

	"github.com/reckon-finops/reckon/internal/awsapi"
)

// connectorFlags are the flags that name a connector's AWS side until
// connectors are resources of their own.
type connectorFlags struct {
	roleARN, externalIDEnv, report, endpoint, connector string
	needReport                                          bool
}

func (f *connectorFlags) register(fs *pflag.FlagSet, needReport bool) {
	f.needReport = needReport
	fs.StringVar(&f.roleARN, "role-arn", "", "the role Reckon assumes in the management account")
	fs.StringVar(&f.externalIDEnv, "external-id-env", "", "name of the environment variable holding the external ID")
	if needReport {
		fs.StringVar(&f.report, "report", "", "the CUR report name")
	}
	fs.StringVar(&f.endpoint, "endpoint", "", "send every AWS call to this URL (the emulator)")
	fs.StringVar(&f.connector, "connector", "cli", "connector name, for the role session name reckon-<connector>")
}

// client checks the flags and builds the AWS client: Reckon's own
// credentials from the SDK's default chain, the external ID from the
// environment variable the flags name (never from the command line).
func (f *connectorFlags) client(ctx context.Context) (*awsapi.Client, error) {
	if f.roleARN == "" || f.externalIDEnv == "" || (f.needReport && f.report == "") {
		required := "--role-arn and --external-id-env are required"
		if f.needReport {
			required = "--role-arn, --external-id-env and --report are required"
		}
		return nil, usageErrorf("%s", required)
	}
	externalID := os.Getenv(f.externalIDEnv)
	if externalID == "" {
		return nil, usageErrorf("the environment variable %s named by --external-id-env is empty", f.externalIDEnv)
	}
	base, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load Reckon's AWS credentials: %w", err)
	}
	report := f.report
	if report == "" {
		report = "-" // not used by the command
	}
	return awsapi.New(base, awsapi.Options{Connector: f.connector, RoleARN: f.roleARN, ExternalID: externalID,
		ReportName: report, BaseEndpoint: f.endpoint})
}
