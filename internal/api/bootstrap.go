package api

import (
	"context"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// AdminUser is the initial administrator's name.
const AdminUser = "admin"

// EnsureAdmin creates the initial administrator, Owner at the root group,
// when the catalog has no users yet. It returns the admin's token when it
// made one, to be shown once; with given set (RECKON_ADMIN_TOKEN), that
// token is stored instead and nothing is returned. On a catalog that has
// users it changes nothing, so it is safe on every start.
func EnsureAdmin(ctx context.Context, store Catalog, clock cost.Clock, given string) (plain string, err error) {
	err = store.UpdateCatalog(ctx, func(c *duckstore.Catalog) ([]cost.AuditEntry, error) {
		if len(c.Users) > 0 {
			return nil, nil
		}
		now := clock.Now()
		p, t := cost.NewToken(AdminUser, now)
		if given != "" {
			var err error
			if t, err = cost.TokenFrom(AdminUser, given, now); err != nil {
				return nil, err
			}
		} else {
			plain = p
		}
		c.Users = append(c.Users, cost.User{Name: AdminUser, Created: now})
		c.Tokens = append(c.Tokens, t)
		c.Assignments = append(c.Assignments, cost.Assignment{User: AdminUser, Role: cost.RoleOwner, Scope: cost.RootGroup})
		return []cost.AuditEntry{{Time: now, User: "reckon", Action: "user.create", Scope: cost.RootGroup, Detail: "initial administrator " + AdminUser + ", Owner"}}, nil
	})
	return plain, err
}
