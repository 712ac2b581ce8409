package duckstore

import (
	"context"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

func TestDeleteBillingAccountTakesOnlyItsRowsAndVersions(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	period := month(2026, time.August)
	load(t, s, "aws-cur/012345678901/reckon", "v1", makeRows(period, 100, "0.25", "012345678901", "045678901234"))
	other := makeRows(period, 40, "1.5", "999999999999")
	for _, r := range other {
		r.BillingAccountID = "999999999999"
	}
	load(t, s, "aws-cur/999999999999/other", "v1", other)

	n, err := s.DeleteBillingAccount(ctx, "012345678901")
	if err != nil || n != 100 {
		t.Fatalf("DeleteBillingAccount = %d, %v; want 100 rows", n, err)
	}
	if got := total(t, s); got.Cmp(decimal.MustParse("60")) != 0 {
		t.Errorf("what is left totals %s, want the other account's 60", got)
	}
	if v, _ := s.LoadedVersion(ctx, "aws-cur/012345678901/reckon", period); v != "" {
		t.Errorf("the deleted account's version %q is still recorded: a new connector would skip its reports", v)
	}
	if v, _ := s.LoadedVersion(ctx, "aws-cur/999999999999/other", period); v != "v1" {
		t.Errorf("the other account's version is %q", v)
	}
}
