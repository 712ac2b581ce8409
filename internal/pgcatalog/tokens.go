package pgcatalog

import (
	"context"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Tokens returns every stored token, by ID, hashed as stored.
func (t *catalogTx) Tokens(ctx context.Context) ([]cost.Token, error) {
	return all(ctx, t.q, scanToken, `SELECT id, user_name, hash, created FROM tokens ORDER BY id`)
}
