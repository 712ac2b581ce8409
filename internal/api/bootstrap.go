package api

import (
	"context"

	"github.com/reckon-finops/reckon/internal/cost"
)

// AdminUser is the initial administrator's name.
const AdminUser = "admin"

// EnsureAdmin creates the initial administrator, Owner at the root group,
// when the catalog has no users yet. It returns the admin's token when it
// made one, to be shown once; with given set (RECKON_ADMIN_TOKEN), that
// token is stored instead and nothing is returned. On a catalog that has
// users it changes nothing, so it is safe on every start.
func EnsureAdmin(ctx context.Context, catalog cost.Catalog, clock cost.Clock, given string) (plain string, err error) {
	err = catalog.Update(ctx, func(tx cost.CatalogTx) error {
		users, err := tx.Users(ctx)
		if err != nil || len(users) > 0 {
			return err
		}
		now := clock.Now()
		p, t := cost.NewToken(AdminUser, now)
		if given != "" {
			if t, err = cost.TokenFrom(AdminUser, given, now); err != nil {
				return err
			}
		} else {
			plain = p
		}
		for _, step := range []func() error{
			func() error { return tx.PutUser(ctx, cost.User{Name: AdminUser, Created: now}) },
			func() error { return tx.PutToken(ctx, t) },
			func() error {
				return tx.AddAssignment(ctx, cost.Assignment{User: AdminUser, Role: cost.RoleOwner, Scope: cost.RootGroup})
			},
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, cost.AuditEntry{Time: now, User: "reckon", Action: "user.create", Scope: cost.RootGroup,
			Detail: "initial administrator " + AdminUser + ", Owner"})
	})
	return plain, err
}
