package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/awsapi"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// awsCollector collects a connector for `reckon serve`: it assumes the
// connector's role with Reckon's own credentials (the SDK's default
// chain), loads the changed report versions, and names the accounts found
// in the data from AWS Organizations.
type awsCollector struct {
	store    *duckstore.Store
	dataDir  string
	endpoint string // every AWS call goes here when set (the emulator)
}

// client builds the AWS client of a connector.
func (a *awsCollector) client(ctx context.Context, conn cost.Connector) (*awsapi.Client, error) {
	base, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load Reckon's AWS credentials: %w", err)
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

// Collect loads the connector's changed report versions. The accounts are
// named from AWS Organizations first, so that the load registers them as
// scopes, named, in the same transaction as their rows: no reader ever sees
// rows of an account that is not yet in the tree.
func (a *awsCollector) Collect(ctx context.Context, conn cost.Connector) (*api.Collection, error) {
	client, err := a.client(ctx, conn)
	if err != nil {
		return nil, err
	}
	res := &api.Collection{}
	known := map[string]cost.Account{}
	accounts, err := client.Accounts(ctx)
	switch {
	case errors.Is(err, awsapi.ErrNoOrganizationAccess):
		res.Warnings = append(res.Warnings, err.Error())
	case err != nil:
		return nil, err
	}
	for _, acc := range accounts {
		known[acc.ID] = cost.Account{Name: acc.Name, Status: acc.State}
	}
	registrar := &cost.Registrar{Known: known,
		Template: cost.Registration{Connector: conn.ID, Owner: conn.Creator, Group: conn.DefaultGroup, Time: clock.Now()}}
	loader := &ingest.Loader{Store: a.store, TempDir: filepath.Join(a.dataDir, "tmp"), Clock: clock, Register: registrar.Register}
	reports, err := loader.Collect(ctx, cursource.Remote(client))
	for _, r := range reports {
		var line bytes.Buffer
		printReport(&line, r)
		res.Summary = append(res.Summary, strings.TrimRight(line.String(), "\n"))
		res.Rows += r.Rows
	}
	res.Discovered = registrar.Added
	if err != nil {
		return nil, err
	}
	payer := conn.Account()
	res.BillingAccount = cost.Account{ID: conn.BillingAccount(), Name: cmp.Or(known[payer].Name, payer), Status: known[payer].Status}
	// The accounts are those the billing account's view holds rows of.
	view, err := cost.ViewOf(cost.Scope{ID: res.BillingAccount.ID}, nil)
	if err != nil {
		return nil, err
	}
	found, err := a.store.Query(ctx, view.Restrict(&cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual,
		GroupBy: []cost.Dimension{{Column: "SubAccountId"}}}))
	if err != nil {
		return nil, err
	}
	for _, row := range found.Rows {
		id := row.Groups[0]
		scope, err := cost.LinkedAccountID(id)
		if err != nil {
			return nil, err
		}
		res.Accounts = append(res.Accounts, cost.Account{ID: scope, Name: cmp.Or(known[id].Name, id), Status: known[id].Status})
	}
	return res, nil
}
