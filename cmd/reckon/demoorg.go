package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/synth"
)

// demoUser is a user of the demo with the one role it is given and, once
// made, its sign-in token.
type demoUser struct {
	name  string
	role  cost.Role
	scope cost.ScopeID
	token string
}

// demoOrg sets the demo organisation up through the API, as its
// administrator would: the groups, the connector and its collection, the
// Azure exports, the moves, the users and their roles.
type demoOrg struct {
	api      *apiClient // as the administrator
	out      io.Writer
	aws      *demoAWS
	azureDir string
	azure    synth.AzureOptions
	report   string // the CUR report's name
}

// build runs every step, each of which a re-run on the same data folder
// finds done and passes, and returns the users with fresh tokens.
func (d *demoOrg) build(ctx context.Context) ([]demoUser, error) {
	for _, g := range []struct{ id, name string }{{"production", "Production"}, {"development", "Development"}} {
		if err := d.api.do(ctx, "POST", "/api/v1/managementGroups", map[string]string{"id": g.id, "name": g.name}, nil); !conflict(err) {
			return nil, fmt.Errorf("create the group mg/%s: %w", g.id, err)
		}
	}
	if err := d.connect(ctx); err != nil {
		return nil, err
	}
	reports, err := d.api.upload(ctx, d.azureDir, remoteIngest{group: string(demoDevelopment)})
	for _, r := range reports {
		printReport(d.out, r)
	}
	if err != nil {
		return nil, fmt.Errorf("load the demo's Azure exports: %w", err)
	}
	prod := []string{"azure/subscriptions/" + d.azure.Subscriptions[0].ID}
	for _, id := range demoProductionAccounts {
		prod = append(prod, "aws/accounts/"+id)
	}
	if err := d.api.do(ctx, "POST", "/api/v1/managementGroups/production/children", map[string][]string{"scopes": prod}, nil); err != nil {
		return nil, fmt.Errorf("move the production accounts into %s: %w", demoProduction, err)
	}
	return d.users(ctx)
}

// connect creates the connector (or, on a re-run, gives it this run's
// external ID), then collects it: the server assumes the role, reads the
// report and names the discovered accounts from Organizations.
func (d *demoOrg) connect(ctx context.Context) error {
	err := d.api.do(ctx, "POST", "/api/v1/connectors", map[string]string{"name": demoConnector,
		"displayName": "Trey Research (emulated AWS)", "roleArn": demoRoleARN, "externalId": d.aws.externalID,
		"reportName": d.report, "defaultManagementGroup": string(demoDevelopment)}, nil)
	if cost.ErrorCode(err) == cost.EConflict {
		err = d.api.do(ctx, "PATCH", "/api/v1/connectors/"+demoConnector, map[string]string{"externalId": d.aws.externalID}, nil)
	}
	if err != nil {
		return fmt.Errorf("create the connector %s: %w", demoConnector, err)
	}
	var res struct {
		Summary, Warnings, Discovered []string
	}
	if err := d.api.do(ctx, "POST", "/api/v1/connectors/"+demoConnector+"/collect", nil, &res); err != nil {
		return fmt.Errorf("collect the connector %s: %w", demoConnector, err)
	}
	fmt.Fprintf(d.out, "Collected the connector %s from the emulated AWS account %s:\n", demoConnector, demoPayer)
	for _, line := range res.Summary {
		fmt.Fprintln(d.out, line)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(d.out, "warning: "+w)
	}
	if len(res.Discovered) > 0 {
		fmt.Fprintf(d.out, "discovered %s\n", strings.Join(res.Discovered, ", "))
	}
	fmt.Fprintln(d.out)
	return nil
}

// users creates ana, a Reader of one linked account, and finops, a
// Contributor of the production group, and a token for each; the
// administrator's is the one the demo calls the API with.
func (d *demoOrg) users(ctx context.Context) ([]demoUser, error) {
	users := []demoUser{
		{name: "admin", role: cost.RoleOwner, scope: cost.RootGroup},
		{name: "finops", role: cost.RoleContributor, scope: demoProduction},
		{name: "ana", role: cost.RoleReader, scope: cost.ScopeID("aws/accounts/" + demoReaderAccount)},
	}
	for i, u := range users {
		if u.name != "admin" {
			if err := d.api.do(ctx, "POST", "/api/v1/users", map[string]string{"name": u.name}, nil); !conflict(err) {
				return nil, fmt.Errorf("create the user %s: %w", u.name, err)
			}
			if err := d.api.do(ctx, "POST", "/api/v1/roleAssignments",
				map[string]string{"user": u.name, "role": string(u.role), "scope": string(u.scope)}, nil); err != nil {
				return nil, fmt.Errorf("make %s %s on %s: %w", u.name, u.role, u.scope, err)
			}
		}
		if u.name == "admin" {
			users[i].token = d.api.token // the demo's own, made as the folder's administrator
			continue
		}
		var tok struct{ Token string }
		if err := d.api.do(ctx, "POST", "/api/v1/users/"+u.name+"/tokens", nil, &tok); err != nil {
			return nil, fmt.Errorf("create a token for %s: %w", u.name, err)
		}
		users[i].token = tok.Token
	}
	return users, nil
}

// conflict is whether err is nil or says that the thing exists already.
func conflict(err error) bool { return err == nil || cost.ErrorCode(err) == cost.EConflict }

// printDemoUsers prints the users' tokens: the demo's sign-in.
func printDemoUsers(out io.Writer, users []demoUser) {
	fmt.Fprintln(out, "Sign in with one of these tokens. They are demo credentials, made for this data folder and shown this once:")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, u := range users {
		fmt.Fprintf(tw, "  %s\t%s\t%s on %s\n", u.name, u.token, u.role, u.scope)
	}
	tw.Flush()
}
