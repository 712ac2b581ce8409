package main

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/reckon-finops/reckon/internal/api"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/cost"
)

// scope is a scope as the API lists it.
type scope = api.ScopeView

// apiCommand makes a command over the API: run gets a ready client.
func apiCommand(use, short string, args cobra.PositionalArgs, setup func(*cobra.Command), run func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error) *cobra.Command {
	var f clientFlags
	cmd := &cobra.Command{Use: use, Short: short, Args: args, RunE: func(cmd *cobra.Command, args []string) error {
		c, err := f.client()
		if err != nil {
			return err
		}
		return run(cmd, c, &f, args)
	}}
	f.register(cmd)
	if setup != nil {
		setup(cmd)
	}
	return cmd
}

func newScopeCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "scope", Short: "The scopes you can see"}
	cmd.AddCommand(apiCommand("list", "List the scopes you can read, as a tree", cobra.NoArgs, nil,
		func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
			var res struct{ Value []scope }
			if err := c.do(cmd.Context(), "GET", "/api/v1/scopes", nil, &res); err != nil {
				return err
			}
			if f.format == "json" {
				return printJSON(cmd.OutOrStdout(), res.Value)
			}
			return printTree(cmd.OutOrStdout(), res.Value)
		}),
		apiCommand("rename SCOPE NAME", "Name a group, subscription, billing or linked account; the name stays over AWS Organizations' names",
			cobra.ExactArgs(2), nil,
			func(cmd *cobra.Command, c *apiClient, _ *clientFlags, args []string) error {
				id, err := cost.ParseScopeID(args[0])
				if err != nil {
					return usageErrorf("%s", cost.ErrorMessage(err))
				}
				if err := c.do(cmd.Context(), "PATCH", "/api/v1/scopes/"+string(id), map[string]string{"name": args[1]}, nil); err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "Renamed %s to %s.\n", id, printable(args[1]))
				return err
			}))
	return cmd
}

// printTree prints the scopes as the management-group tree, then the
// scopes outside it (billing accounts, connectors). A scope whose group the
// caller cannot see starts a tree of its own.
func printTree(w io.Writer, scopes []scope) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCOPE\tNAME\tYOUR ROLE")
	seen := map[cost.ScopeID]bool{}
	children := map[cost.ScopeID][]scope{}
	for _, s := range scopes {
		seen[s.ID] = true
		children[s.Group] = append(children[s.Group], s)
	}
	var walk func(s scope, depth int)
	walk = func(s scope, depth int) {
		name := s.Name
		if s.Status != "" && s.Status != "ACTIVE" {
			name += " (" + strings.ToLower(strings.ReplaceAll(s.Status, "_", " ")) + ")"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", strings.Repeat("  ", depth), printable(string(s.ID)), printable(name), s.Role)
		for _, c := range children[s.ID] {
			walk(c, depth+1)
		}
	}
	for _, s := range scopes {
		if s.Group == "" || !seen[s.Group] {
			walk(s, 0)
		}
	}
	return tw.Flush()
}

func newMGCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "mg", Short: "Management groups"}
	var name, parent string
	cmd.AddCommand(
		apiCommand("create ID", "Create a management group", cobra.ExactArgs(1),
			func(cmd *cobra.Command) {
				cmd.Flags().StringVar(&name, "name", "", "display name (default: the ID)")
				cmd.Flags().StringVar(&parent, "parent", "mg/root", "the parent group")
			},
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				var created scope
				body := map[string]string{"id": strings.TrimPrefix(args[0], "mg/"), "name": name, "parent": parent}
				if err := c.do(cmd.Context(), "POST", "/api/v1/managementGroups", body, &created); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), created)
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Created %s (%s) in %s.\n", created.ID, printable(created.Name), created.Group)
				return err
			}),
		apiCommand("list", "List the management groups you can read", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
				var res struct{ Value []scope }
				if err := c.do(cmd.Context(), "GET", "/api/v1/scopes", nil, &res); err != nil {
					return err
				}
				var groups []scope
				for _, s := range res.Value {
					if s.Kind == cost.KindManagementGroup {
						groups = append(groups, s)
					}
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), groups)
				}
				return printTree(cmd.OutOrStdout(), groups)
			}),
		apiCommand("move SCOPE... --to mg/GROUP", "Move a group, or subscriptions and linked accounts, into a group", cobra.MinimumNArgs(1),
			func(cmd *cobra.Command) { cmd.Flags().StringVar(&parent, "to", "", "the group to move into") },
			func(cmd *cobra.Command, c *apiClient, _ *clientFlags, args []string) error {
				to := strings.TrimPrefix(parent, "mg/")
				if to == "" {
					return usageErrorf("--to mg/GROUP is required")
				}
				if len(args) == 1 && strings.HasPrefix(args[0], "mg/") {
					err := c.do(cmd.Context(), "POST", "/api/v1/managementGroups/"+strings.TrimPrefix(args[0], "mg/")+"/move", map[string]string{"parent": "mg/" + to}, nil)
					if err == nil {
						fmt.Fprintf(cmd.OutOrStdout(), "Moved %s into mg/%s.\n", args[0], to)
					}
					return err
				}
				err := c.do(cmd.Context(), "POST", "/api/v1/managementGroups/"+to+"/children", map[string][]string{"scopes": args}, nil)
				if err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "Moved %s into mg/%s.\n", strings.Join(args, ", "), to)
				}
				return err
			}),
		apiCommand("rename ID NAME", "Change a management group's display name", cobra.ExactArgs(2), nil,
			func(cmd *cobra.Command, c *apiClient, _ *clientFlags, args []string) error {
				id := strings.TrimPrefix(args[0], "mg/")
				if err := c.do(cmd.Context(), "PATCH", "/api/v1/managementGroups/"+id, map[string]string{"name": args[1]}, nil); err != nil {
					return err
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Renamed mg/%s to %s.\n", id, printable(args[1]))
				return err
			}),
		apiCommand("delete ID", "Delete an empty management group", cobra.ExactArgs(1), nil,
			func(cmd *cobra.Command, c *apiClient, _ *clientFlags, args []string) error {
				id := strings.TrimPrefix(args[0], "mg/")
				if err := c.do(cmd.Context(), "DELETE", "/api/v1/managementGroups/"+id, nil, nil); err != nil {
					return err
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Deleted mg/%s.\n", id)
				return err
			}),
	)
	return cmd
}

func newUserCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Users (Owner at mg/root)"}
	cmd.AddCommand(
		apiCommand("create NAME", "Create a user", cobra.ExactArgs(1), nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				var u cost.User
				if err := c.do(cmd.Context(), "POST", "/api/v1/users", map[string]string{"name": args[0]}, &u); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), u)
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Created user %s. Give them a token with `reckon token create --user %s`.\n", u.Name, u.Name)
				return err
			}),
		apiCommand("list", "List users", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
				var res struct{ Value []cost.User }
				if err := c.do(cmd.Context(), "GET", "/api/v1/users", nil, &res); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), res.Value)
				}
				for _, u := range res.Value {
					fmt.Fprintf(cmd.OutOrStdout(), "%s\tcreated %s\n", u.Name, u.Created.Format("2006-01-02"))
				}
				return nil
			}),
	)
	return cmd
}

func newTokenCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "API tokens"}
	var user string
	cmd.AddCommand(apiCommand("create", "Create an API token; it is shown once", cobra.NoArgs,
		func(cmd *cobra.Command) { cmd.Flags().StringVar(&user, "user", "", "whose token (default: yours)") },
		func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
			if user == "" {
				var me struct{ Name string }
				if err := c.do(cmd.Context(), "GET", "/api/v1/me", nil, &me); err != nil {
					return err
				}
				user = me.Name
			}
			var t struct{ ID, User, Created, Token string }
			if err := c.do(cmd.Context(), "POST", "/api/v1/users/"+user+"/tokens", nil, &t); err != nil {
				return err
			}
			if f.format == "json" {
				return printJSON(cmd.OutOrStdout(), t)
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), t.Token)
			return err
		}))
	return cmd
}

func newAccessCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "access", Short: "Role assignments"}
	var user, role, scopeID string
	flags := func(withUser bool) func(*cobra.Command) {
		return func(cmd *cobra.Command) {
			if withUser {
				cmd.Flags().StringVar(&user, "user", "", "the user")
				cmd.Flags().StringVar(&role, "role", "", "Owner, Contributor or Reader")
			}
			cmd.Flags().StringVar(&scopeID, "scope", "", "the scope ID, e.g. aws/accounts/123456789012")
		}
	}
	need := func(all bool) error {
		if scopeID == "" || all && (user == "" || role == "") {
			if all {
				return usageErrorf("--user, --role and --scope are required")
			}
			return usageErrorf("--scope is required")
		}
		return nil
	}
	cmd.AddCommand(
		apiCommand("assign", "Give a user a role on a scope (Owner on the scope)", cobra.NoArgs, flags(true),
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
				if err := need(true); err != nil {
					return err
				}
				var a struct{ User, Role, Scope string }
				if err := c.do(cmd.Context(), "POST", "/api/v1/roleAssignments", map[string]string{"user": user, "role": role, "scope": scopeID}, &a); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), a)
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s is now %s on %s.\n", a.User, a.Role, a.Scope)
				return err
			}),
		apiCommand("list", "List the role assignments made on a scope", cobra.NoArgs, flags(false),
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
				if err := need(false); err != nil {
					return err
				}
				var res struct {
					Value []struct{ User, Role, Scope string }
				}
				if err := c.do(cmd.Context(), "GET", "/api/v1/roleAssignments?"+url.Values{"scope": {scopeID}}.Encode(), nil, &res); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), res.Value)
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "USER\tROLE\tSCOPE")
				for _, a := range res.Value {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", a.User, a.Role, a.Scope)
				}
				return tw.Flush()
			}),
		apiCommand("remove", "Remove a role assignment (Owner on the scope)", cobra.NoArgs, flags(true),
			func(cmd *cobra.Command, c *apiClient, _ *clientFlags, _ []string) error {
				if err := need(true); err != nil {
					return err
				}
				q := url.Values{"user": {user}, "role": {role}, "scope": {scopeID}}
				if err := c.do(cmd.Context(), "DELETE", "/api/v1/roleAssignments?"+q.Encode(), nil, nil); err != nil {
					return err
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Removed %s's %s assignment on %s.\n", user, role, scopeID)
				return err
			}),
	)
	return cmd
}

func newSubscriptionCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "subscription", Short: "Azure subscription scopes"}
	var name, group string
	cmd.AddCommand(apiCommand("create GUID", "Add an Azure subscription to a management group", cobra.ExactArgs(1),
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&name, "name", "", "display name (default: the GUID)")
			cmd.Flags().StringVar(&group, "group", "mg/root", "the management group")
		},
		func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
			var created scope
			if err := c.do(cmd.Context(), "POST", "/api/v1/subscriptions", map[string]string{"id": args[0], "name": name, "group": group}, &created); err != nil {
				return err
			}
			if f.format == "json" {
				return printJSON(cmd.OutOrStdout(), created)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "Created %s (%s) in %s.\n", created.ID, printable(created.Name), created.Group)
			return err
		}))
	return cmd
}

// printable escapes what a terminal would act on rather than show, as Go
// escapes (\x1b, \n, \u202e): the characters names may not hold
// (cost.NameRune), for names stored before the API refused them. A name
// longer than any the API accepts is cut.
func printable(s string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		switch {
		case i == cost.MaxNameLength:
			b.WriteString("…")
			return b.String()
		case cost.NameRune(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}
