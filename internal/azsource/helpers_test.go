package azsource_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/azsource"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
)

const (
	sub      = "5f2c3a1e-8b4d-4c7a-9e21-0d6b7f3a9c11"
	account  = "87654321"
	scopeID  = "/subscriptions/5F2C3A1E-8B4D-4C7A-9E21-0D6B7F3A9C11" // ARM IDs come in any case
	resvID   = "/providers/microsoft.capacity/reservationorders/r1/reservations/r1"
	costHead = "BillingAccountId,BillingAccountName,BillingPeriodStartDate,BillingPeriodEndDate,SubscriptionId,SubscriptionName," +
		"Date,MeterCategory,CostInBillingCurrency,BillingCurrency,ChargeType,PricingModel,ReservationId"
)

// line is one row of a cost details file in the month starting on month
// (2026-08), on day day.
type line struct {
	day                      int
	meter, cost, charge, how string // how: PricingModel
}

// costFile writes a cost details CSV of the month's lines, with a BOM as
// Azure writes.
func costFile(month string, lines ...line) string {
	start, _ := time.Parse("2006-01", month)
	end := start.AddDate(0, 1, -1)
	var b strings.Builder
	b.WriteString("\ufeff" + costHead + "\r\n")
	for _, l := range lines {
		resv := ""
		if l.how == "Reservation" {
			resv = resvID
		}
		fmt.Fprintf(&b, "%s,Contoso,%s,%s,%s,Production,%s,%s,%s,EUR,%s,%s,%s\r\n", account,
			start.Format("01/02/2006"), end.Format("01/02/2006"), strings.ToUpper(sub),
			start.AddDate(0, 0, l.day-1).Format("01/02/2006"), l.meter, l.cost, l.charge, l.how, resv)
	}
	return b.String()
}

// exportRun is one run of an export in the layout since 2023.
type exportRun struct {
	root, export, dataset string
	scope                 string // ARM scope ID
	month                 string // 2026-08
	runID, submitted      string // submitted: RFC 3339
	parts                 []string
	gzip                  bool
	// spoil edits the manifest before it is written (to make it lie).
	spoil func(m map[string]any)
}

// files returns the run's blobs by name: its parts and its manifest.
func (r exportRun) files(t *testing.T) map[string][]byte {
	t.Helper()
	start, _ := time.Parse("2006-01", r.month)
	sub, _ := time.Parse(time.RFC3339, r.submitted)
	dir := path.Join(r.root, r.export, start.Format("20060102")+"-"+start.AddDate(0, 1, -1).Format("20060102"),
		sub.Format("200601021504"), r.runID)
	out := map[string][]byte{}
	var blobs []any
	total := 0
	for i, p := range r.parts {
		name := fmt.Sprintf("%s/part_%d_0001.csv", dir, i)
		data := []byte(p)
		if r.gzip {
			name += ".gz"
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(data)
			zw.Close()
			data = buf.Bytes()
		}
		rows := strings.Count(p, "\n") - 1
		total += rows
		out[name] = data
		blobs = append(blobs, map[string]any{"blobName": name, "byteCount": len(data), "dataRowCount": rows})
	}
	m := map[string]any{
		"blobCount": len(blobs), "dataRowCount": total, "byteCount": 0,
		"exportConfig": map[string]any{"exportName": r.export, "type": r.dataset, "dataVersion": "2023-12-01-preview",
			"resourceId": r.scope + "/providers/Microsoft.CostManagement/exports/" + r.export, "apiVersion": "2023-07-01-preview",
			"timeFrame": "MonthToDate", "granularity": "Daily"},
		"deliveryConfig": map[string]any{"partitionData": true, "dataOverwriteBehavior": "CreateNewReport", "fileFormat": "Csv",
			"rootFolderPath": r.root},
		"runInfo": map[string]any{"executionType": "Scheduled", "submittedTime": r.submitted, "runId": r.runID,
			"startDate": start.Format("2006-01-02T15:04:05"), "endDate": start.AddDate(0, 1, -1).Format("2006-01-02T15:04:05")},
		"blobs": blobs,
	}
	if r.spoil != nil {
		r.spoil(m)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out[dir+"/manifest.json"] = data
	return out
}

// writeFiles writes blobs under dir as a download of the container would.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func merge(ms ...map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func openStore(t *testing.T) *duckstore.Store {
	t.Helper()
	s, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sums returns the store's cost of the given type, grouped by dim ("" for
// the total, "month" by month).
func sums(t *testing.T, s *duckstore.Store, typ cost.CostType, dim string) map[string]string {
	t.Helper()
	q := &cost.Query{Type: typ, Granularity: cost.GranularityNone}
	switch dim {
	case "month":
		q.Granularity = cost.GranularityMonthly
	case "":
	default:
		d, err := cost.ParseDimension(dim)
		if err != nil {
			t.Fatal(err)
		}
		q.GroupBy = []cost.Dimension{d}
	}
	res, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	acc := map[string]decimal.Decimal{}
	for _, row := range res.Rows {
		key := ""
		switch {
		case dim == "month":
			key = row.Date.Format("2006-01")
		case dim != "":
			key = row.Groups[0]
		}
		acc[key] = acc[key].Add(row.Cost)
	}
	out := map[string]string{}
	for k, v := range acc {
		out[k] = v.String()
	}
	return out
}

// want compares the store's sums with figures computed by hand.
func want(t *testing.T, s *duckstore.Store, typ cost.CostType, dim string, exp map[string]string) {
	t.Helper()
	got := sums(t, s, typ, dim)
	for k, v := range exp {
		if decimal.MustParse(v).Cmp(decimal.MustParse(orZero(got[k]))) != 0 {
			t.Errorf("%s by %q, %q: store has %s, want %s (all: %v)", typ, dim, k, orZero(got[k]), v, got)
		}
	}
	for k, v := range got {
		if _, ok := exp[k]; !ok && !decimal.MustParse(v).IsZero() {
			t.Errorf("%s by %q: store has %q = %s, which is not expected", typ, dim, k, v)
		}
	}
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func loader(s *duckstore.Store) *ingest.Loader {
	return &ingest.Loader{Store: s, Format: azsource.NewFormat(azsource.Options{})}
}

// touch sets a file's modification time (RFC 3339).
func touch(t *testing.T, p, at string) {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, tm, tm); err != nil {
		t.Fatal(err)
	}
}
