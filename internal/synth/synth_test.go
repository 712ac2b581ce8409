package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func generate(t testing.TB, o Options) ([]byte, *Totals) {
	t.Helper()
	var buf bytes.Buffer
	tot, err := WriteCSV(&buf, o)
	if err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	return buf.Bytes(), tot
}

// table reads the CSV into a header index and rows.
func table(t testing.TB, b []byte) (map[string]int, [][]string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v", err)
	}
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	return idx, recs[1:]
}

func TestWriteCSVIsDeterministic(t *testing.T) {
	o := Options{Seed: 7, Months: 2, RowsPerMonth: 3000, NetColumns: true, Versions: 2}
	a, ta := generate(t, o)
	b, tb := generate(t, o)
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Fatal("the same options gave different bytes")
	}
	if ta.BilledCost != tb.BilledCost || ta.Rows != tb.Rows {
		t.Fatalf("the same options gave different totals: %+v vs %+v", ta, tb)
	}
	o.Seed = 8
	if c, _ := generate(t, o); bytes.Equal(a, c) {
		t.Fatal("a different seed gave the same bytes")
	}
}

func TestOutputDoesNotDependOnParallelism(t *testing.T) {
	o := Options{Seed: 11, RowsPerMonth: 50000, NetColumns: true}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one, t1 := generate(t, o)
	runtime.GOMAXPROCS(4)
	four, t4 := generate(t, o)
	if !bytes.Equal(one, four) || t1.EffectiveCost != t4.EffectiveCost || t1.ByDay["2026-08-09"] != t4.ByDay["2026-08-09"] {
		t.Fatal("1 and 4 workers gave different output")
	}
}

func TestEveryLineItemTypeAppearsInEveryPeriod(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"with the smallest supported size", Options{RowsPerMonth: 200, Months: 3}},
		{"with the default size and net columns", Options{Months: 2, NetColumns: true}},
		{"when the newest delivery is a third of the month", Options{RowsPerMonth: 600, Versions: 3, Now: time.Date(2026, 8, 10, 7, 0, 0, 0, time.UTC)}},
		{"with a single usage account that is not the payer", Options{RowsPerMonth: 300, Accounts: []string{"000000000042"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idx, rows := table(t, must(generate(t, tc.o)))
			seen := map[string]map[string]bool{}
			for _, r := range rows {
				p := r[idx["bill/BillingPeriodStartDate"]]
				if seen[p] == nil {
					seen[p] = map[string]bool{}
				}
				typ := r[idx["lineItem/LineItemType"]]
				seen[p][typ] = true
				switch {
				case typ == "Fee" && r[idx["reservation/ReservationARN"]] != "":
					seen[p]["Fee with a reservation ARN"] = true
				case typ == "Fee":
					seen[p]["Fee without a reservation ARN"] = true
				case typ == "Refund" && r[idx["lineItem/ProductCode"]] == "ComputeSavingsPlans":
					seen[p]["Refund of ComputeSavingsPlans"] = true
				}
			}
			if len(seen) != max(1, tc.o.Months) {
				t.Fatalf("got %d billing periods, want %d", len(seen), max(1, tc.o.Months))
			}
			want := append(LineItemTypes(), "Fee with a reservation ARN", "Fee without a reservation ARN", "Refund of ComputeSavingsPlans")
			for p, types := range seen {
				for _, typ := range want {
					if !types[typ] {
						t.Errorf("period %s has no %s row", p, typ)
					}
				}
			}
		})
	}
}

func must(b []byte, _ *Totals) []byte { return b }

func TestHeader(t *testing.T) {
	for _, net := range []bool{false, true} {
		h := Header(net)
		if len(h) < 60 {
			t.Errorf("net=%v: %d columns, want at least 60", net, len(h))
		}
		if n := len(slices.Compact(slices.Sorted(slices.Values(h)))); n != len(h) {
			t.Errorf("net=%v: duplicate column names", net)
		}
		if got := slices.Contains(h, "lineItem/NetUnblendedCost"); got != net {
			t.Errorf("net=%v: has NetUnblendedCost = %v", net, got)
		}
		idx, _ := table(t, must(generate(t, Options{RowsPerMonth: 200, NetColumns: net})))
		if len(idx) != len(h) {
			t.Errorf("net=%v: file header has %d columns, Header %d", net, len(idx), len(h))
		}
	}
	for _, c := range strings.Fields(`identity/LineItemId identity/TimeInterval bill/InvoiceId bill/InvoicingEntity
		bill/BillingEntity bill/BillType bill/PayerAccountId bill/BillingPeriodStartDate bill/BillingPeriodEndDate
		lineItem/UsageAccountId lineItem/LineItemType lineItem/UsageStartDate lineItem/UsageEndDate lineItem/ProductCode
		lineItem/UsageType lineItem/Operation lineItem/AvailabilityZone lineItem/ResourceId lineItem/UsageAmount
		lineItem/NormalizationFactor lineItem/NormalizedUsageAmount lineItem/CurrencyCode lineItem/UnblendedRate
		lineItem/UnblendedCost lineItem/BlendedRate lineItem/BlendedCost lineItem/LineItemDescription lineItem/TaxType
		lineItem/LegalEntity product/ProductName product/region product/regionCode product/location product/instanceType
		product/instanceFamily product/operatingSystem product/productFamily product/servicecode product/usagetype
		product/sku product/storageClass product/volumeType product/vcpu product/memory pricing/publicOnDemandCost
		pricing/publicOnDemandRate pricing/term pricing/unit pricing/LeaseContractLength pricing/OfferingClass
		pricing/PurchaseOption reservation/ReservationARN reservation/EffectiveCost
		reservation/UnusedAmortizedUpfrontFeeForBillingPeriod reservation/UnusedRecurringFee
		reservation/AmortizedUpfrontFeeForBillingPeriod reservation/RecurringFeeForUsage reservation/StartTime
		reservation/EndTime savingsPlan/SavingsPlanARN savingsPlan/SavingsPlanEffectiveCost savingsPlan/SavingsPlanRate
		savingsPlan/TotalCommitmentToDate savingsPlan/UsedCommitment savingsPlan/OfferingType savingsPlan/PaymentOption
		resourceTags/user:Environment resourceTags/user:Team resourceTags/user:CostCenter resourceTags/aws:createdBy
		costCategory/BusinessUnit lineItem/NetUnblendedRate discount/EdpDiscount`) {
		if !slices.Contains(Header(true), c) {
			t.Errorf("header lacks %s", c)
		}
	}
}

func TestTotalsMatchAnIndependentRecount(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"for the defaults", Options{}},
		{"with net columns over three months", Options{Seed: 3, Months: 3, RowsPerMonth: 1500, NetColumns: true}},
		{"for a partial current month", Options{Seed: 4, Months: 2, NetColumns: true, Now: time.Date(2026, 9, 17, 12, 0, 0, 0, time.UTC)}},
		{"for the newest of several deliveries", Options{Seed: 5, Versions: 4, RowsPerMonth: 5000}},
		{"when the payer is not a usage account", Options{Seed: 6, Accounts: []string{"111111111111", "022222222222"}, NetColumns: true}},
		{"for a large month", Options{Seed: 9, RowsPerMonth: 60000, NetColumns: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, got := generate(t, tc.o)
			rc := newRecounter()
			rc.read(t, bytes.NewReader(b))
			rc.compare(t, got)
		})
	}
}

func TestOddShapesStillAddUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"with a single row asked for", Options{RowsPerMonth: 1}},
		{"with more files than covered hours", Options{RowsPerMonth: 400, FilesPerVersion: 40, Now: time.Date(2026, 8, 1, 6, 0, 0, 0, time.UTC)}},
		{"on the first of the month", Options{Months: 2, Now: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}},
		{"across a leap-year February", Options{Start: time.Date(2028, 2, 1, 0, 0, 0, 0, time.UTC), RowsPerMonth: 500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tot, err := WriteBucket(dir, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			b, tot2 := generate(t, tc.o)
			if tot2.BilledCost != tot.BilledCost || tot2.Rows != tot.Rows {
				t.Fatalf("WriteCSV and WriteBucket disagree: %d %s vs %d %s", tot2.Rows, tot2.BilledCost, tot.Rows, tot.BilledCost)
			}
			rc := newRecounter()
			rc.read(t, bytes.NewReader(b))
			rc.compare(t, tot)
		})
	}
}

var (
	stampRe    = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:00:00Z$`)
	intervalRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:00:00Z/\d{4}-\d\d-\d\dT\d\d:00:00Z$`)
	moneyRe    = regexp.MustCompile(`^-?\d+\.\d{10,17}$`)
	invoiceRe  = regexp.MustCompile(`^EUINIE\d\d-\d{6}$`)
)

func TestValuesLookLikeARealReport(t *testing.T) {
	now := time.Date(2026, 9, 20, 8, 0, 0, 0, time.UTC)
	b, tot := generate(t, Options{Months: 2, NetColumns: true, Now: now})
	idx, rows := table(t, b)
	count := map[string]int{}
	for _, r := range rows {
		get := func(c string) string { return r[idx[c]] }
		for _, c := range []string{"lineItem/UsageStartDate", "lineItem/UsageEndDate", "bill/BillingPeriodStartDate"} {
			if !stampRe.MatchString(get(c)) {
				t.Fatalf("%s = %q", c, get(c))
			}
		}
		if !intervalRe.MatchString(get("identity/TimeInterval")) {
			t.Fatalf("TimeInterval = %q", get("identity/TimeInterval"))
		}
		for _, c := range []string{"lineItem/UnblendedCost", "lineItem/BlendedCost", "lineItem/UsageAmount"} {
			if !moneyRe.MatchString(get(c)) {
				t.Fatalf("%s = %q", c, get(c))
			}
		}
		for _, v := range r {
			if strings.HasPrefix(v, "-0") && strings.Trim(v, "-0.") == "" {
				t.Fatalf("negative zero %q", v)
			}
		}
		closed := strings.HasPrefix(get("bill/BillingPeriodStartDate"), "2026-08")
		if inv := get("bill/InvoiceId"); closed != invoiceRe.MatchString(inv) || !closed && inv != "" {
			t.Fatalf("InvoiceId %q in %s", inv, get("bill/BillingPeriodStartDate"))
		}
		if !closed && get("lineItem/UsageStartDate") >= "2026-09-20" {
			t.Fatalf("usage on %s after the delivery at %s", get("lineItem/UsageStartDate"), now)
		}
		count["entity "+get("bill/BillingEntity")]++
		if get("product/region") != "" && get("product/regionCode") == "" {
			count["region without regionCode"]++
		}
		if get("product/ProductName") == "" {
			count["no product name"]++
		}
		if get("lineItem/NetUnblendedCost") == "" {
			count["no net cost"]++
		} else if get("lineItem/NetUnblendedCost") != get("lineItem/UnblendedCost") {
			count["net differs"]++
		}
		if get("lineItem/LineItemType") == "Usage" && get("resourceTags/user:Team") != "" {
			count["tagged usage"]++
		}
		if c := get("lineItem/UnblendedCost"); len(c)-strings.Index(c, ".")-1 > 10 {
			count["more than 10 decimals"]++
		}
	}
	for _, c := range []string{"entity AWS", "entity AWS Marketplace", "region without regionCode", "no product name",
		"no net cost", "net differs", "tagged usage", "more than 10 decimals"} {
		if count[c] == 0 {
			t.Errorf("no row with %s", c)
		}
	}
	if !bytes.Contains(b, []byte(`,"$0.005 per 1,000 PUT, COPY, POST, or LIST requests",`)) {
		t.Error("no quoted description with commas")
	}
	if perRow := len(b) / int(tot.Rows); perRow < 300 || perRow > 1000 {
		t.Errorf("%d bytes per row", perRow)
	}
}

func TestDemoOptions(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	o := DemoOptions(now)
	if o.Start != time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC) || o.Months != 3 {
		t.Fatalf("demo covers %s for %d months", o.Start, o.Months)
	}
	_, tot := generate(t, o)
	// Two closed months, and November to date: 24 of its 30 days.
	for _, p := range []string{"2026-09", "2026-10"} {
		if s := tot.ByPeriod[p]; s.Rows < 2500 || s.Rows > 3500 {
			t.Errorf("%s has %d rows, want about 3000", p, s.Rows)
		}
	}
	if s := tot.ByPeriod["2026-11"]; s.Rows < 1800 || s.Rows > 3000 {
		t.Errorf("2026-11 to date has %d rows", s.Rows)
	}
	if len(tot.ByAccount) != 6 {
		t.Errorf("%d accounts, want 6", len(tot.ByAccount))
	}
}

func TestBadOptionsAreRejected(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"a payer that is not 12 digits", Options{Payer: "12345"}},
		{"an account id given twice", Options{Accounts: []string{"111111111111", "111111111111"}}},
		{"a start that is not the first of a month", Options{Start: time.Date(2026, 8, 2, 0, 0, 0, 0, time.UTC)}},
		{"a start that is not UTC", Options{Start: time.Date(2026, 8, 1, 0, 0, 0, 0, time.FixedZone("X", 3600))}},
		{"a report name with a space", Options{ReportName: "my report"}},
		{"an unknown versioning", Options{Versioning: "KEEP"}},
		{"negative months", Options{Months: -1}},
		{"a now before the last period", Options{Months: 3, Now: time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := WriteCSV(&bytes.Buffer{}, tc.o); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
