package synth

import (
	"flag"
	"testing"

	"github.com/klauspost/pgzip"
)

var benchRows = flag.Int("synth.rows", 200_000, "rows per iteration of the WriteCSV benchmarks")

// countingWriter discards what it is given and counts the bytes.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func benchmarkWriteCSV(b *testing.B, gzip bool) {
	o := Options{RowsPerMonth: *benchRows, NetColumns: true}
	var rows, size int64
	for b.Loop() {
		c := &countingWriter{}
		var tot *Totals
		var err error
		if gzip {
			z := pgzip.NewWriter(c)
			tot, err = WriteCSV(z, o)
			if err == nil {
				err = z.Close()
			}
		} else {
			tot, err = WriteCSV(c, o)
		}
		if err != nil {
			b.Fatal(err)
		}
		rows += tot.Rows
		size += c.n
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size)/float64(rows), "bytes/row")
}

// BenchmarkWriteCSV measures generation alone (go test -bench WriteCSV
// -synth.rows 5000000 for the ingest benchmark's size).
func BenchmarkWriteCSV(b *testing.B) { benchmarkWriteCSV(b, false) }

// BenchmarkWriteCSVGzip adds parallel gzip, as the ingest benchmark does.
func BenchmarkWriteCSVGzip(b *testing.B) { benchmarkWriteCSV(b, true) }
