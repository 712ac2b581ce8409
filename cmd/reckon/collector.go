package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// awsCollector is the AWS side of `reckon serve`'s connectors (a
// jobs.Collector and an api.Verifier): it assumes the connector's role with
// Reckon's own credentials (the SDK's default chain), names the accounts
// from AWS Organizations, and loads the changed report versions into the
// store. Discovery, the audit and the schedule are the jobs package's.
type awsCollector struct {
	store    ingest.Store
	tempDir  string // where downloads are written while they load
	endpoint string // every AWS call goes here when set (the emulator)
	// credentials are Reckon's own, when set (the demo's, for its
	// emulator); else the SDK's default chain gives them.
	credentials aws.CredentialsProvider
	clock       cost.Clock
}

// client builds the AWS client of a connector.
func (a *awsCollector) client(ctx context.Context, conn cost.Connector) (*awsapi.Client, error) {
	base := aws.Config{Region: "us-east-1", Credentials: a.credentials}
	if a.credentials == nil {
		var err error
		if base, err = config.LoadDefaultConfig(ctx); err != nil {
			return nil, fmt.Errorf("load Reckon's AWS credentials: %w", err)
		}
	}
	return awsapi.New(base, awsapi.Options{Connector: conn.ID.Key(), RoleARN: conn.RoleARN, ExternalID: conn.ExternalID,
		ReportName: conn.ReportName, BaseEndpoint: a.endpoint})
}

// Verify runs the connector's checks.
func (a *awsCollector) Verify(ctx context.Context, conn cost.Connector) ([]cost.Check, error) {
	client, err := a.client(ctx, conn)
	if err != nil {
		return nil, err
	}
	var out []cost.Check
	for _, c := range client.Verify(ctx).Checks {
		out = append(out, cost.Check{Name: c.Name, Status: string(c.Status), Code: c.Code, Message: c.Message})
	}
	return out, nil
}

// Accounts names the organization's accounts from AWS Organizations, by
// account ID. A role not allowed to list them is a warning: the accounts
// then go by their IDs.
func (a *awsCollector) Accounts(ctx context.Context, conn cost.Connector) (map[string]cost.Account, []string, error) {
	client, err := a.client(ctx, conn)
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	accounts, err := client.Accounts(ctx)
	switch {
	case errors.Is(err, awsapi.ErrNoOrganizationAccess):
		warnings = append(warnings, err.Error())
	case err != nil:
		return nil, nil, err
	}
	known := map[string]cost.Account{}
	for _, acc := range accounts {
		known[acc.ID] = cost.Account{Name: acc.Name, Status: acc.State}
	}
	return known, warnings, nil
}

// Load loads the connector's changed report versions, each with register
// as its hook, and returns a report line per billing period and the rows
// loaded (those of the periods committed before a failure too).
func (a *awsCollector) Load(ctx context.Context, conn cost.Connector, register cost.RegisterFunc) ([]string, int64, error) {
	client, err := a.client(ctx, conn)
	if err != nil {
		return nil, 0, err
	}
	return a.collect(ctx, cursource.Remote(client), register)
}

// collect loads remote's changed versions into the store, each with
// register as its hook, and returns a report line per billing period and
// the rows loaded (those of the periods committed before a failure too).
func (a *awsCollector) collect(ctx context.Context, remote ingest.Remote, register cost.RegisterFunc) ([]string, int64, error) {
	loader := &ingest.Loader{Store: a.store, TempDir: a.tempDir, Clock: a.clock, Register: register}
	reports, err := loader.Collect(ctx, remote)
	var summary []string
	var rows int64
	for _, r := range reports {
		var line bytes.Buffer
		printReport(&line, r)
		summary = append(summary, strings.TrimRight(line.String(), "\n"))
		rows += r.Rows
	}
	return summary, rows, err
}
