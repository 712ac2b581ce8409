package cost

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// rowsOf reads a hierarchy and an assignment list a row at a time, as a
// catalog transaction would.
type rowsOf struct {
	ScopeWriter
	as []Assignment
}

func (r rowsOf) Assignments(_ context.Context, f AssignmentFilter) ([]Assignment, error) {
	var out []Assignment
	for _, a := range r.as {
		if (f.User == "" || a.User == f.User) && (f.Scope == "" || a.Scope == f.Scope) {
			out = append(out, a)
		}
	}
	return out, nil
}

// compareRowLevel checks RoleOn and Authorize against EffectiveRole, and
// RolesOver against VisibleScopes, for every user and scope of the case.
func compareRowLevel(c *oracleCase) {
	ctx := context.Background()
	r := rowsOf{c.h.Rows(), c.as}
	for _, u := range append(oracleUsers, "eve") {
		var mine []Assignment
		for _, a := range c.as {
			if a.User == u {
				mine = append(mine, a)
			}
		}
		roles := RolesOver(u, c.h.Scopes(), mine)
		for _, s := range c.all {
			want, wantOK := EffectiveRole(u, ScopeID(s), c.h, c.as)
			got, ok, err := RoleOn(ctx, r, u, ScopeID(s))
			if err != nil || got != want || ok != wantOK {
				c.t.Fatalf("RoleOn(%s, %s) = %s %v %v, EffectiveRole %s %v", u, s, got, ok, err, want, wantOK)
			}
			if roles[ScopeID(s)] != want {
				c.t.Fatalf("RolesOver(%s)[%s] = %s, EffectiveRole %s", u, s, roles[ScopeID(s)], want)
			}
			for _, a := range []Action{ActionRead, ActionWrite, ActionVerify, ActionManageAccess} {
				err := Authorize(ctx, r, u, a, ScopeID(s))
				if can := Can(u, a, ScopeID(s), c.h, c.as); can != (err == nil) || !can && ErrorCode(err) != EForbidden {
					c.t.Fatalf("Authorize(%s, %s, %s) = %v, Can %v", u, a, s, err, can)
				}
			}
		}
		visible := slices.Sorted(maps.Keys(roles))
		if want := VisibleScopes(u, c.h, c.as); !slices.Equal(visible, want) {
			c.t.Fatalf("RolesOver(%s) sees %v, VisibleScopes %v", u, visible, want)
		}
	}
}

func TestRowLevelAccessAgreesWithTheHierarchy(t *testing.T) {
	const cases = 2_000
	for seed := range uint64(cases) {
		runOracleCase(t, rand.New(rand.NewPCG(seed, 0x7065)), compareRowLevel)
	}
}

// TestAuthorizeSaysWhatWasRefusedInWords: the refusal names the action as
// a person would say it, not its identifier ("manageaccess").
func TestAuthorizeSaysWhatWasRefusedInWords(t *testing.T) {
	r := rowsOf{NewHierarchy().Rows(), []Assignment{{User: "bob", Role: RoleContributor, Scope: RootGroup}}}
	for _, tt := range []struct {
		user   string
		action Action
		want   string
	}{
		{"bob", ActionManageAccess, "bob may not manage access on mg/root"},
		{"eve", ActionRead, "eve may not read mg/root"},
		{"eve", ActionWrite, "eve may not write mg/root"},
		{"eve", ActionVerify, "eve may not verify mg/root"},
	} {
		err := Authorize(context.Background(), r, tt.user, tt.action, RootGroup)
		if ErrorCode(err) != EForbidden || err.Error() != tt.want {
			t.Errorf("Authorize(%s, %s) = %v, want %q", tt.user, tt.action, err, tt.want)
		}
	}
}
