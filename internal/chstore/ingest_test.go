package chstore

import (
	"testing"
)

// TestIngestOrder checks that block.add writes one value into every
// column of cost_rows_in, in columns' order: a DateTime value where
// columns has a DateTime, text elsewhere.
func TestIngestOrder(t *testing.T) {
	b := blocks.Get().(*block)
	defer func() { b.reset(); blocks.Put(b) }()
	b.reset()
	r := testRows(1, "1.5")[0]
	b.add(1, r)
	for i, c := range columns {
		texts, times := len(b.text[i].ends), len(b.times[i])
		want := [2]int{1, 0}
		if c.typ == "DateTime" {
			want = [2]int{0, 1}
		}
		if [2]int{texts, times} != want {
			t.Errorf("column %s (%s) got %d text and %d time values, want %v", c.name, c.typ, texts, times, want)
		}
	}
}

// TestArrayText checks the escaping of Array(String) values: what the
// view's SQL undoes (TestQuotedValues reads them back from ClickHouse).
func TestArrayText(t *testing.T) {
	for v, want := range map[string]string{"": "", "ab": "ab", "a\x01b": "a\x02\x04b", "\x02\x04": "\x02\x03\x04", "\x00": "\x00"} {
		if got := string(arrayText(nil, v)); got != want {
			t.Errorf("arrayText(%q) = %q, want %q", v, got, want)
		}
	}
}
