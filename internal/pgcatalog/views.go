package pgcatalog

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Saved views: a row each, the query as the JSON of its cost.QuerySpec.

const viewSelect = `SELECT id, scope, name, chart, query, created, created_by, updated, updated_by FROM saved_views`

func scanView(r scanner) (cost.SavedView, error) {
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
	return one(t.q.QueryRow(ctx, viewSelect+` WHERE id = $1`, id), scanView)
}

// SavedViews returns the views saved on the scope, by name regardless of
// case, then ID.
func (t *catalogTx) SavedViews(ctx context.Context, scope cost.ScopeID) ([]cost.SavedView, error) {
	vs, err := all(ctx, t.q, scanView, viewSelect+` WHERE scope = $1`, string(scope))
	return byFoldedName(vs, viewKey), err
}

// PutSavedView inserts or replaces a saved view.
func (t *catalogTx) PutSavedView(ctx context.Context, v cost.SavedView) error {
	query, err := json.Marshal(v.Query)
	if err != nil {
		return fmt.Errorf("write view %s: %w", v.ID, err)
	}
	_, err = t.exec(ctx, "write view "+v.ID, `INSERT INTO saved_views (id, scope, name, chart, query, created, created_by, updated, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, name = excluded.name, chart = excluded.chart, query = excluded.query,
			created = excluded.created, created_by = excluded.created_by, updated = excluded.updated, updated_by = excluded.updated_by`,
		v.ID, string(v.Scope), v.Name, string(v.Chart), string(query), ts(v.Created), v.CreatedBy, ts(v.Updated), v.UpdatedBy)
	return err
}

// DeleteSavedView deletes a saved view and reports whether there was one.
func (t *catalogTx) DeleteSavedView(ctx context.Context, id string) (bool, error) {
	return t.deleted(ctx, "delete view "+id, `DELETE FROM saved_views WHERE id = $1`, id)
}
