package azsource_test

import (
	"context"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/azsource"
	"github.com/reckon-finops/reckon/internal/cost"
)

// August 2026 of one subscription, as its two exports state it. A
// reservation bought for 300.00 (and 50.00 of it refunded) covers VM usage:
// the actual export bills the purchase and the refund and prices the usage
// at 0; the amortized one spreads the purchase over the usage (8.00) and
// the unused hours (1.50), and has no purchase or refund of it.
var (
	actualLines = []line{
		{1, "Virtual Machines", "10.50", "Usage", "OnDemand"},
		{1, "Virtual Machines", "0", "Usage", "Reservation"},
		{1, "Virtual Machines", "300.00", "Purchase", "Reservation"},
		{2, "Storage", "2.25", "Usage", "OnDemand"},
		{3, "Virtual Machines", "-50.00", "Refund", "Reservation"},
		{4, "Marketplace", "7.00", "Purchase", "OnDemand"},
	}
	amortizedLines = []line{
		{1, "Virtual Machines", "10.50", "Usage", "OnDemand"},
		{1, "Virtual Machines", "8.00", "Usage", "Reservation"},
		{2, "Virtual Machines", "1.50", "UnusedReservation", "Reservation"},
		{2, "Storage", "2.25", "Usage", "OnDemand"},
		{4, "Marketplace", "7.00", "Purchase", "OnDemand"},
	}
)

// By hand: BilledCost is the amortized rows' (10.50 + 0 + 0 + 2.25 + 7.00)
// plus the reservation's purchase and refund (300.00 - 50.00) = 269.75,
// the actual export's total (10.50 + 0 + 300.00 + 2.25 - 50.00 + 7.00).
// EffectiveCost is the amortized export's total, 10.50 + 8.00 + 1.50 + 2.25
// + 7.00 = 29.25: the purchase and refund rows cost 0.
var (
	billedByCategory    = map[string]string{"Usage": "12.75", "Purchase": "257.00"}
	effectiveByCategory = map[string]string{"Usage": "22.25", "Purchase": "7.00"}
)

func augustRuns(root string) (actual, amortized exportRun) {
	actual = exportRun{root: root, export: "reckon-actual", dataset: "ActualCost", scope: scopeID, month: "2026-08",
		runID: "11111111-aaaa-4bbb-8ccc-000000000001", submitted: "2026-08-15T06:00:00Z",
		parts: []string{costFile("2026-08", actualLines...)}}
	amortized = exportRun{root: root, export: "reckon-amortized", dataset: "AmortizedCost", scope: scopeID, month: "2026-08",
		runID: "22222222-aaaa-4bbb-8ccc-000000000001", submitted: "2026-08-15T06:10:00Z", gzip: true,
		parts: []string{costFile("2026-08", amortizedLines[:2]...), costFile("2026-08", amortizedLines[2:]...)}}
	return actual, amortized
}

func TestActualAndAmortizedExportsLoadAsOneSetOfRows(t *testing.T) {
	dir := t.TempDir()
	actual, amortized := augustRuns("exports")
	stale := actual // an earlier run of the month, which the newer one replaces
	stale.runID, stale.submitted = "11111111-aaaa-4bbb-8ccc-000000000000", "2026-08-14T06:00:00Z"
	stale.parts = []string{costFile("2026-08", line{1, "Virtual Machines", "999.00", "Usage", "OnDemand"})}
	writeFiles(t, dir, merge(actual.files(t), amortized.files(t), stale.files(t)))

	s := openStore(t)
	reports, err := loader(s).IngestPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 {
		t.Fatalf("reports = %+v, want one delivery for the subscription's August", reports)
	}
	r := reports[0]
	if r.Source != "azure-export/subscriptions/"+sub || r.Period.String() != "2026-08-01..2026-08-31" ||
		r.Version != "AmortizedCost:"+amortized.runID+"+ActualCost:"+actual.runID || r.Rows != 5+2 || r.BilledCost.String() != "269.75" {
		t.Errorf("report = %+v", r)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("warnings %q, want none: the exports reconcile", r.Warnings)
	}
	want(t, s, cost.CostActual, "ChargeCategory", billedByCategory)
	want(t, s, cost.CostAmortized, "ChargeCategory", effectiveByCategory)
	want(t, s, cost.CostActual, "", map[string]string{"": "269.75"})
	want(t, s, cost.CostAmortized, "", map[string]string{"": "29.25"})
	want(t, s, cost.CostAmortized, "ServiceName", map[string]string{"Virtual Machines": "20.00", "Storage": "2.25", "Marketplace": "7.00"})

	again, err := loader(s).IngestPath(context.Background(), dir)
	if err != nil || len(again) != 1 || !again[0].Skipped {
		t.Fatalf("loading the same runs again: %+v, %v; want the month skipped", again, err)
	}
}

func TestExportsThatDisagreeAreLoadedWithAWarningNamingBothTotals(t *testing.T) {
	dir := t.TempDir()
	actual, amortized := augustRuns("")
	// The amortized export ran later, after 0.10 more on-demand usage came in.
	late := append([]line{{1, "Virtual Machines", "10.60", "Usage", "OnDemand"}}, amortizedLines[1:]...)
	amortized.parts = []string{costFile("2026-08", late...)}
	writeFiles(t, dir, merge(actual.files(t), amortized.files(t)))
	s := openStore(t)
	reports, err := loader(s).IngestPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(reports[0].Warnings, "\n")
	// 10.60 + 2.25 + 7.00 + 300.00 - 50.00 = 269.85 against 269.75.
	for _, part := range []string{"bill 269.85", "reckon-actual totals 269.75", "difference 0.1", "reckon-amortized's 29.35"} {
		if !strings.Contains(w, part) {
			t.Errorf("warnings %q do not say %q", w, part)
		}
	}
	want(t, s, cost.CostActual, "", map[string]string{"": "269.85"})
}

func TestOneExportAloneLoadsWithAWarningOfWhatItLacks(t *testing.T) {
	for _, tt := range []struct {
		name      string
		actual    bool
		billed    string
		effective string
		warning   string
	}{
		{"an actual export alone has no amortization", true, "269.75", "269.75", "EffectiveCost is BilledCost"},
		{"an amortized export alone lacks the purchases", false, "19.75", "29.25", "BilledCost lacks reservation and savings plan purchases"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			actual, amortized := augustRuns("e")
			run := amortized
			if tt.actual {
				run = actual
			}
			writeFiles(t, dir, run.files(t))
			s := openStore(t)
			reports, err := loader(s).IngestPath(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if w := strings.Join(reports[0].Warnings, "\n"); !strings.Contains(w, tt.warning) {
				t.Errorf("warnings %q do not say %q", w, tt.warning)
			}
			want(t, s, cost.CostActual, "", map[string]string{"": tt.billed})
			want(t, s, cost.CostAmortized, "", map[string]string{"": tt.effective})
		})
	}
}

func TestANewRunReplacesItsMonthAndLeavesTheOthers(t *testing.T) {
	dir := t.TempDir()
	actual, amortized := augustRuns("exports")
	july, julyAm := augustRuns("exports")
	july.month, julyAm.month = "2026-07", "2026-07"
	july.runID, julyAm.runID = "33333333-aaaa-4bbb-8ccc-000000000001", "44444444-aaaa-4bbb-8ccc-000000000001"
	july.submitted, julyAm.submitted = "2026-08-01T06:00:00Z", "2026-08-01T06:10:00Z"
	julyLine := line{5, "Storage", "4.00", "Usage", "OnDemand"}
	july.parts = []string{costFile("2026-07", julyLine)}
	julyAm.parts = []string{costFile("2026-07", julyLine)}
	writeFiles(t, dir, merge(actual.files(t), amortized.files(t), july.files(t), julyAm.files(t)))
	s := openStore(t)
	if _, err := loader(s).IngestPath(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	want(t, s, cost.CostActual, "month", map[string]string{"2026-07": "4.00", "2026-08": "269.75"})

	// The next day's runs restate August: the on-demand VM usage is 12.00.
	restated := func(r exportRun, id, at string, lines []line) exportRun {
		r.runID, r.submitted = id, at
		r.parts = []string{costFile("2026-08", append([]line{{1, "Virtual Machines", "12.00", "Usage", "OnDemand"}}, lines[1:]...)...)}
		return r
	}
	writeFiles(t, dir, merge(restated(actual, "55555555-aaaa-4bbb-8ccc-000000000001", "2026-08-16T06:00:00Z", actualLines).files(t),
		restated(amortized, "66666666-aaaa-4bbb-8ccc-000000000001", "2026-08-16T06:10:00Z", amortizedLines).files(t)))
	reports, err := loader(s).IngestPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || !reports[0].Skipped && !reports[1].Skipped {
		t.Fatalf("reports = %+v, want July skipped and August reloaded", reports)
	}
	// 269.75 - 10.50 + 12.00 = 271.25; 29.25 + 1.50 = 30.75.
	want(t, s, cost.CostActual, "month", map[string]string{"2026-07": "4.00", "2026-08": "271.25"})
	want(t, s, cost.CostAmortized, "month", map[string]string{"2026-07": "4.00", "2026-08": "30.75"})
}

func TestAFocusCostExportIsReadAsFOCUS(t *testing.T) {
	dir := t.TempDir()
	head := "BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ProviderName,ChargeCategory,BilledCost,EffectiveCost,SubAccountId,BillingCurrency"
	rows := []string{
		"87654321,2026-08-01T00:00:00Z,2026-09-01T00:00:00Z,2026-08-01T00:00:00Z,2026-08-02T00:00:00Z,Microsoft,Usage,10.50,10.50," + sub + ",EUR",
		"87654321,2026-08-01T00:00:00Z,2026-09-01T00:00:00Z,2026-08-01T00:00:00Z,2026-08-02T00:00:00Z,Microsoft,Purchase,300.00,0," + sub + ",EUR",
		"87654321,2026-08-01T00:00:00Z,2026-09-01T00:00:00Z,2026-08-01T00:00:00Z,2026-08-02T00:00:00Z,Microsoft,Usage,0,8.00," + sub + ",EUR",
	}
	focus := exportRun{root: "x", export: "reckon-focus", dataset: "FocusCost", scope: "/providers/Microsoft.Billing/billingAccounts/" + account,
		month: "2026-08", runID: "77777777-aaaa-4bbb-8ccc-000000000001", submitted: "2026-08-15T06:00:00Z",
		parts: []string{head + "\n" + strings.Join(rows, "\n") + "\n"}}
	writeFiles(t, dir, focus.files(t))
	ds, err := azsource.NewFormat(azsource.Options{}).Find(dir)
	if err != nil || len(ds) != 1 || ds[0].BillingAccount != account {
		t.Fatalf("deliveries %+v, %v; want one, billed to the scope's billing account %s", ds, err, account)
	}
	s := openStore(t)
	reports, err := loader(s).IngestPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Source != "azure-export/providers/microsoft.billing/billingaccounts/"+account+"/focus" || len(reports[0].Warnings) != 0 {
		t.Fatalf("reports = %+v", reports)
	}
	want(t, s, cost.CostActual, "", map[string]string{"": "310.50"})
	want(t, s, cost.CostAmortized, "", map[string]string{"": "18.50"})
}

func TestTheOlderLayoutLoadsEachExportsNewestFile(t *testing.T) {
	dir := t.TempDir()
	old := "exports/legacy/20260801-20260831/legacy_0b5e3c1a-2f4d-4e6a-8b9c-1d2e3f4a5b6c.csv"
	newer := "exports/legacy/20260801-20260831/legacy_9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.csv"
	writeFiles(t, dir, map[string][]byte{
		old:   []byte(costFile("2026-08", line{1, "Storage", "1.00", "Usage", "OnDemand"})),
		newer: []byte(costFile("2026-08", actualLines...)),
	})
	touch(t, dir+"/"+old, "2026-08-14T06:00:00Z")
	touch(t, dir+"/"+newer, "2026-08-15T06:00:00Z")
	s := openStore(t)
	reports, err := loader(s).IngestPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Source != "azure-export/legacy" || !strings.HasPrefix(reports[0].Version, "ActualCost:sha256:") {
		t.Fatalf("reports = %+v", reports)
	}
	want(t, s, cost.CostActual, "", map[string]string{"": "269.75"})

	// Named as amortized, the same export is read as amortized.
	am := openStore(t)
	l := loader(am)
	l.Format = azsource.NewFormat(azsource.Options{AmortizedExports: []string{"legacy"}})
	writeFiles(t, dir, map[string][]byte{newer: []byte(costFile("2026-08", amortizedLines...))})
	touch(t, dir+"/"+newer, "2026-08-15T06:00:00Z")
	if _, err := l.IngestPath(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	want(t, am, cost.CostActual, "", map[string]string{"": "19.75"})
	want(t, am, cost.CostAmortized, "", map[string]string{"": "29.25"})
}

func TestASingleFileLoadsByItsRows(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"august.csv": []byte(costFile("2026-08", actualLines...))})
	s := openStore(t)
	reports, err := loader(s).IngestPath(context.Background(), dir+"/august.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Source != "azure-export/"+account || reports[0].BilledCost.String() != "269.75" {
		t.Fatalf("reports = %+v", reports)
	}
	want(t, s, cost.CostAmortized, "", map[string]string{"": "269.75"})
}

func TestExportsOfOneScopeAndMonthAreLoadedOnce(t *testing.T) {
	t.Run("two actual exports are refused, naming both", func(t *testing.T) {
		dir := t.TempDir()
		actual, _ := augustRuns("e")
		other := actual
		other.export, other.runID = "reckon-actual-2", "12121212-aaaa-4bbb-8ccc-000000000001"
		writeFiles(t, dir, merge(actual.files(t), other.files(t)))
		_, err := loader(openStore(t)).IngestPath(context.Background(), dir)
		if err == nil || !strings.Contains(err.Error(), "reckon-actual and reckon-actual-2 both hold ActualCost") {
			t.Fatalf("error %v; want a refusal naming both exports", err)
		}
	})
	t.Run("a FocusCost export beside cost details is left out with a warning, a price sheet ignored", func(t *testing.T) {
		dir := t.TempDir()
		actual, amortized := augustRuns("e")
		focus := actual
		focus.export, focus.dataset, focus.runID = "reckon-focus", "FocusCost", "13131313-aaaa-4bbb-8ccc-000000000001"
		focus.parts = []string{"not,read\n"}
		prices := actual
		prices.export, prices.dataset, prices.runID = "reckon-prices", "PriceSheet", "14141414-aaaa-4bbb-8ccc-000000000001"
		writeFiles(t, dir, merge(actual.files(t), amortized.files(t), focus.files(t), prices.files(t)))
		s := openStore(t)
		reports, err := loader(s).IngestPath(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(reports) != 1 || !strings.Contains(strings.Join(reports[0].Warnings, "\n"), "FocusCost export reckon-focus (2026-08-01..2026-08-31) was not loaded") {
			t.Fatalf("reports = %+v", reports)
		}
		want(t, s, cost.CostActual, "", map[string]string{"": "269.75"})
	})
	t.Run("a run over two months is refused", func(t *testing.T) {
		dir := t.TempDir()
		actual, _ := augustRuns("e")
		actual.spoil = func(m map[string]any) { m["runInfo"].(map[string]any)["endDate"] = "2026-09-03T00:00:00" }
		writeFiles(t, dir, actual.files(t))
		_, err := loader(openStore(t)).IngestPath(context.Background(), dir)
		if err == nil || !strings.Contains(err.Error(), "manifest.json, column runInfo.startDate: the run covers 2026-08-01 to 2026-09-03, not one calendar month") {
			t.Fatalf("error %v", err)
		}
	})
}
