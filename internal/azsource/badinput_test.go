package azsource_test

import (
	"context"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Bad input in a newer run is refused with a message naming the file (and,
// where it is about a row, the line and column), and the month loaded
// before is left as it was.
func TestBadInputIsRefusedAndLeavesTheStoreUnchanged(t *testing.T) {
	const part = "part_0_0001.csv"
	tests := []struct {
		name  string
		spoil func(r *exportRun)
		want  []string // parts of the message
	}{
		{"a CUR's header in an Azure export", func(r *exportRun) {
			r.parts = []string{"identity/LineItemId,lineItem/UnblendedCost\nx,1\n"}
		}, []string{part + ": line 1", "AWS Cost and Usage Report"}},
		{"a header without the currency column", func(r *exportRun) {
			r.parts[0] = strings.Replace(r.parts[0], ",BillingCurrency,", ",Currencies,", 1)
		}, []string{part + ": line 1, column BillingCurrency", "lacks the required column"}},
		{"a non-numeric cost", func(r *exportRun) {
			r.parts[0] = strings.Replace(r.parts[0], ",2.25,", ",two,", 1)
		}, []string{part + ": line 5, column CostInBillingCurrency", `"two" is not a number`}},
		{"a file cut short inside a row, its manifest written to match", func(r *exportRun) {
			r.parts[0] = r.parts[0][:strings.Index(r.parts[0], ",2.25,")]
		}, []string{part + ": line 5", "ends before this column"}},
		{"a file cut short at a row's end, so fewer rows than its manifest says", func(r *exportRun) {
			r.spoil = func(m map[string]any) {
				b := m["blobs"].([]any)[0].(map[string]any)
				b["dataRowCount"] = b["dataRowCount"].(int) + 1
			}
		}, []string{part, "has 6 data rows but the manifest", "says 7"}},
		{"a run whose files hold fewer rows than its manifest says", func(r *exportRun) {
			r.spoil = func(m map[string]any) {
				m["dataRowCount"] = m["dataRowCount"].(int) + 2
				delete(m["blobs"].([]any)[0].(map[string]any), "dataRowCount")
			}
		}, []string{"the run's files hold 6 data rows", "says 8"}},
		{"a file shorter than its manifest's byteCount", func(r *exportRun) {
			r.spoil = func(m map[string]any) {
				b := m["blobs"].([]any)[0].(map[string]any)
				b["byteCount"] = b["byteCount"].(int) + 1
			}
		}, []string{part, "but", "manifest.json says", "cut short"}},
		{"a gzip file cut short, its manifest without byteCount", func(r *exportRun) {
			r.gzip = true
			r.spoil = func(m map[string]any) { delete(m["blobs"].([]any)[0].(map[string]any), "byteCount") }
		}, []string{part + ".gz", "unexpected EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			actual, amortized := augustRuns("exports")
			writeFiles(t, dir, merge(actual.files(t), amortized.files(t)))
			s := openStore(t)
			if _, err := loader(s).IngestPath(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			next := actual
			next.runID, next.submitted = "99999999-aaaa-4bbb-8ccc-000000000001", "2026-08-16T06:00:00Z"
			next.parts = []string{costFile("2026-08", append([]line{{1, "Virtual Machines", "12.00", "Usage", "OnDemand"}}, actualLines[1:]...)...)}
			tt.spoil(&next)
			files := next.files(t)
			for name, data := range files {
				if strings.HasSuffix(name, ".gz") { // cut after the manifest was written
					files[name] = data[:len(data)-20]
				}
			}
			writeFiles(t, dir, files)
			_, err := loader(s).IngestPath(context.Background(), dir)
			if err == nil {
				t.Fatal("the bad run loaded")
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			want(t, s, cost.CostActual, "", map[string]string{"": "269.75"})
			want(t, s, cost.CostAmortized, "", map[string]string{"": "29.25"})
		})
	}
}
