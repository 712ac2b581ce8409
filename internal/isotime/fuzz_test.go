package isotime

import (
	"strings"
	"testing"
	"time"
)

// timeLayouts are the forms AWS writes, as time package layouts, with the
// precision each keeps and whether it carries an offset.
var timeLayouts = []struct {
	layout    string
	precision time.Duration
	zone      bool
}{
	{"2006-01-02T15:04:05Z07:00", time.Second, true},
	{"2006-01-02T15:04:05.000Z07:00", time.Millisecond, true},
	{time.RFC3339Nano, time.Nanosecond, true},
	{"2006-01-02T15:04:05-0700", time.Second, true},
	{"2006-01-02 15:04:05", time.Second, false},
	{"2006-01-02 15:04:05.000", time.Millisecond, false},
	{"20060102T150405.000Z", time.Millisecond, false},
	{"2006-01-02", 24 * time.Hour, false},
}

// lenientLayouts are every shape Parse accepts, as time package
// layouts: dashed or compact date, alone or with a T or space and a clock,
// with no zone, Z or ±hh:mm, ±hhmm or ±hh. time.Parse takes any fraction
// after the seconds without the layout saying so.
var lenientLayouts = func() []string {
	var out []string
	for _, date := range []string{"2006-01-02", "20060102"} {
		out = append(out, date)
		clock := map[string]string{"2006-01-02": "15:04:05", "20060102": "150405"}[date]
		for _, sep := range []string{"T", " "} {
			for _, zone := range []string{"", "Z07:00", "-0700", "-07"} {
				out = append(out, date+sep+clock+zone)
			}
		}
	}
	return out
}()

// stdlibParseTime reads s with the time package, which checks the calendar
// on its own: a second opinion on every time Parse accepts.
func stdlibParseTime(s string) (time.Time, bool) {
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	for _, layout := range lenientLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func offsetBelow24h(t time.Time) bool {
	_, off := t.Zone()
	return off > -24*3600 && off < 24*3600
}

// FuzzParseTime: Parse never panics, agrees with the time package on
// every canonical string of a known layout, and reads back any time
// formatted in one.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2023-11-01T00:00:00Z", "20191201T000000.000Z", "2022-07-01 00:00:00.000", "2023-02-30", "2023-11-01T01:00:00+01", "9999-12-31T23:59:59.999999999-23:59"} {
		f.Add(s, int64(1698796800), uint32(0), uint8(0), int16(0))
	}
	f.Add("", int64(-62135596800), uint32(999999999), uint8(2), int16(-1439))
	f.Fuzz(func(t *testing.T, s string, sec int64, nsec uint32, layout uint8, offsetMinutes int16) {
		got, err := Parse([]byte(s))
		if err == nil {
			if got.Location() != time.UTC {
				t.Fatalf("Parse(%q) is in %s, not UTC", s, got.Location())
			}
		}
		// An offset can push 9999-12-31 into year 10000, which RFC 3339 cannot write.
		if err == nil && got.Year() >= 0 && got.Year() <= 9999 {
			again, err := Parse([]byte(got.Format(time.RFC3339Nano)))
			if err != nil || !again.Equal(got) {
				t.Fatalf("Parse(%q) = %s, which reads back as %s, %v", s, got.Format(time.RFC3339Nano), again, err)
			}
		}
		if err == nil {
			if want, ok := stdlibParseTime(s); !ok || !want.Equal(got) {
				t.Fatalf("Parse(%q) = %s, but the time package reads %s (ok %v)", s, got.Format(time.RFC3339Nano), want, ok)
			}
		}
		for _, l := range timeLayouts {
			// time.Parse allows a ±24:00 offset; Parse, like ISO 8601, stops at ±23:59.
			if want, err := time.Parse(l.layout, s); err == nil && want.Format(l.layout) == s && offsetBelow24h(want) {
				if got, err := Parse([]byte(s)); err != nil || !got.Equal(want) {
					t.Fatalf("time.Parse(%q, %q) = %s, Parse = %s, %v", l.layout, s, want, got, err)
				}
			}
		}

		// Round trip: a time in years 1–9998, formatted in one layout.
		const first, span = -62135596800 + 86400, 315_500_000_000 // 0001-01-02 onwards
		l := timeLayouts[int(layout)%len(timeLayouts)]
		tm := time.Unix(first+((sec%span)+span)%span, int64(nsec%1_000_000_000)).UTC()
		if l.zone {
			tm = tm.In(time.FixedZone("", int(offsetMinutes)%(24*60)*60))
		}
		text := tm.Format(l.layout)
		want := tm.UTC().Truncate(l.precision)
		back, err := Parse([]byte(text))
		if err != nil || !back.Equal(want) {
			t.Fatalf("formatted %s with %q as %q, read back %s, %v; want %s", tm, l.layout, text, back, err, want)
		}
	})
}
