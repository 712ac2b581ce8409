package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestAStoreFromBeforeLoadScopedKeysUpgrades writes a store the way Reckon
// wrote them before migration 004 (dims with dim_key and the description,
// INTEGER ids shared by every load) and opens it: the rows keep their
// totals, descriptions, tags and resources, and loads go on from there.
func TestAStoreFromBeforeLoadScopedKeysUpgrades(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("duckdb", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.Exec(`CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"migrations/001_cost_rows.sql", "migrations/002_catalog.sql", "migrations/003_scope_status.sql"} {
		body, err := migrations.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (name) VALUES (?)`, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO dims (dim_id, dim_key, ProviderName, BillingAccountId, SubAccountId, ChargeCategory, ChargeDescription, BillingCurrency, ServiceName, consumed_kind)
		 VALUES (1, 'k1', 'AWS', '012345678901', '012345678901', 'Usage', '$0.10 per hour', 'USD', 'Amazon EC2', 0),
		        (2, 'k2', 'AWS', '012345678901', '045678901234', 'Tax', NULL, 'USD', 'Amazon EC2', 0)`,
		`INSERT INTO tag_sets VALUES (1, '{"Team":"data"}')`,
		`INSERT INTO resources VALUES (1, 'i-0abc')`,
		`INSERT INTO cost_rows VALUES
		 (1, 1, 1, 1, '2026-08-01', '2026-09-01', '2026-08-02 10:00', '2026-08-02 11:00', 1.25, 1, 0, 0, 0, 0, 0),
		 (1, 2, 0, 0, '2026-08-01', '2026-09-01', '2026-08-31 00:00', '2026-09-01 00:00', 0.10, NULL, 0, 0, 0, 0, 0)`,
		`INSERT INTO report_versions VALUES ('aws-cur/012345678901/hourly', '2026-08-01', '2026-09-01', 'A', nextval('load_ids'), 2, 1.35, 'm.json', '2026-09-02')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	// Reading cannot upgrade it: a reader is told what to run.
	if _, err := Open(ctx, dir, Options{ReadOnly: true}); cost.ErrorCode(err) != cost.EConflict ||
		!strings.Contains(err.Error(), "run reckon serve or reckon ingest on it once") {
		t.Fatalf("a read-only open of an old store: %v", err)
	}
	s := openStore(t, dir, Options{})
	sum := func(col, value string) string {
		q := &cost.Query{Granularity: cost.GranularityNone, Type: cost.CostActual}
		if col != "" {
			q.Filters = []cost.Filter{{Dimension: cost.Dimension{Column: col}, Values: []string{value}}}
		}
		res, err := s.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) == 0 {
			return "none"
		}
		return res.Rows[0].Cost.String()
	}
	for _, c := range []struct{ col, value, want string }{
		{"", "", "1.35"},
		{"ChargeDescription", "$0.10 per hour", "1.25"},
		{"ChargeDescription", "", "0.1"},
		{"ResourceId", "i-0abc", "1.25"},
		{"SubAccountId", "045678901234", "0.1"},
	} {
		if got := sum(c.col, c.value); got != c.want {
			t.Errorf("%s=%q: %s, want %s", c.col, c.value, got, c.want)
		}
	}
	var account string
	if err := s.DB().QueryRow(`SELECT billing_account FROM report_versions`).Scan(&account); err != nil || account != "012345678901" {
		t.Fatalf("billing account of the old version = %q (%v)", account, err)
	}
	// Its accounts became scopes, owned by the administrator, at the root.
	err = s.View(ctx, func(r cost.CatalogReader) error {
		for _, id := range []cost.ScopeID{"aws/billing/012345678901", "aws/accounts/012345678901", "aws/accounts/045678901234"} {
			sc, ok, err := r.Scope(ctx, id)
			if err != nil || !ok {
				return fmt.Errorf("no scope %s after the upgrade (%v)", id, err)
			}
			if id.Kind() == cost.KindLinkedAccount && (sc.Group != cost.RootGroup || sc.BillingAccount != "aws/billing/012345678901") {
				return fmt.Errorf("%s is %+v, want it at the root under the billing account", id, sc)
			}
			as, err := r.Assignments(ctx, cost.AssignmentFilter{Scope: id})
			if err != nil || len(as) != 1 || as[0].User != LoadOwner || as[0].Role != cost.RoleOwner {
				return fmt.Errorf("%s's assignments: %v (%v), want %s as Owner", id, as, err, LoadOwner)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A restatement replaces the old rows; keys of load 0 stay, unused.
	load(t, s, "aws-cur/012345678901/hourly", "B", makeRows(month(2026, 8), 2, "5", "1"))
	if got := sum("", ""); got != "10.0" && got != "10" {
		t.Fatalf("after a restatement: %s, want 10", got)
	}
}
