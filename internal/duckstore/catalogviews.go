package duckstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Saved views (migration 008): a row each, the query as JSON. The copy in
// memory (catalogmem.go) holds them all, by scope, name and ID.

const viewColumns = `id, scope, name, chart, query, created, created_by, updated, updated_by`

// viewOrder sorts views by scope, then by name regardless of case.
const viewOrder = ` ORDER BY scope, lower(name), name, id`

func scanView(r interface{ Scan(...any) error }) (cost.SavedView, error) {
	var v cost.SavedView
	var query string
	if err := r.Scan(&v.ID, &v.Scope, &v.Name, &v.Chart, &query, &v.Created, &v.CreatedBy, &v.Updated, &v.UpdatedBy); err != nil {
		return v, err
	}
	v.Created, v.Updated = v.Created.UTC(), v.Updated.UTC()
	if err := json.Unmarshal([]byte(query), &v.Query); err != nil {
		return v, fmt.Errorf("the query of view %s: %w", v.ID, err)
	}
	return v, nil
}

// SavedView returns the saved view with the ID.
func (t *catalogTx) SavedView(ctx context.Context, id string) (cost.SavedView, bool, error) {
	return one(t.q.QueryRowContext(ctx, `SELECT `+viewColumns+` FROM saved_views WHERE id = ?`, id), scanView)
}

// SavedViews returns the views saved on the scope.
func (t *catalogTx) SavedViews(ctx context.Context, scope cost.ScopeID) ([]cost.SavedView, error) {
	return all(ctx, t.q, scanView, `SELECT `+viewColumns+` FROM saved_views WHERE scope = ?`+viewOrder, string(scope))
}

// allViews returns every saved view, for the copy in memory.
func (t *catalogTx) allViews(ctx context.Context) ([]cost.SavedView, error) {
	return all(ctx, t.q, scanView, `SELECT `+viewColumns+` FROM saved_views`+viewOrder)
}

// PutSavedView inserts or replaces a saved view.
func (t *catalogTx) PutSavedView(ctx context.Context, v cost.SavedView) error {
	query, err := json.Marshal(v.Query)
	if err != nil {
		return fmt.Errorf("write view %s: %w", v.ID, err)
	}
	return t.upsert(ctx, "write view "+v.ID,
		`UPDATE saved_views SET scope = $2, name = $3, chart = $4, query = $5, created = CAST($6 AS TIMESTAMP),
			created_by = $7, updated = CAST($8 AS TIMESTAMP), updated_by = $9 WHERE id = $1`,
		`INSERT INTO saved_views VALUES ($1, $2, $3, $4, $5, CAST($6 AS TIMESTAMP), $7, CAST($8 AS TIMESTAMP), $9)`,
		v.ID, string(v.Scope), v.Name, string(v.Chart), string(query), ts(v.Created), v.CreatedBy, ts(v.Updated), v.UpdatedBy)
}

// DeleteSavedView deletes a saved view and reports whether there was one.
func (t *catalogTx) DeleteSavedView(ctx context.Context, id string) (bool, error) {
	n, err := t.exec(ctx, "delete view "+id, `DELETE FROM saved_views WHERE id = ?`, id)
	return n > 0, err
}

// deleteScopeViews deletes the views saved on a scope that goes.
func (t *catalogTx) deleteScopeViews(ctx context.Context, scope cost.ScopeID) error {
	_, err := t.exec(ctx, "delete the views of "+string(scope), `DELETE FROM saved_views WHERE scope = ?`, string(scope))
	return err
}

// SavedView returns the saved view with the ID.
func (c *catalogCopy) SavedView(_ context.Context, id string) (cost.SavedView, bool, error) {
	for _, v := range c.views {
		if v.ID == id {
			return v, true, nil
		}
	}
	return cost.SavedView{}, false, nil
}

// SavedViews returns the views saved on the scope, in the copy's order.
func (c *catalogCopy) SavedViews(_ context.Context, scope cost.ScopeID) ([]cost.SavedView, error) {
	var out []cost.SavedView
	for _, v := range c.views {
		if v.Scope == scope {
			out = append(out, v)
		}
	}
	return out, nil
}
