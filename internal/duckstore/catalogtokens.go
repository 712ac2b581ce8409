package duckstore

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Tokens returns every stored token, by ID, hashed as stored.
func (t *catalogTx) Tokens(ctx context.Context) ([]cost.Token, error) {
	return all(ctx, t.q, scanToken, `SELECT id, user_name, hash, created FROM tokens ORDER BY id`)
}

// Tokens returns every stored token, by ID, hashed as stored.
func (c *catalogCopy) Tokens(context.Context) ([]cost.Token, error) {
	return slices.SortedFunc(maps.Values(c.tokens), func(a, b cost.Token) int { return strings.Compare(a.ID, b.ID) }), nil
}
