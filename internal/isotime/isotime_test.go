package isotime

import (
	"errors"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // RFC 3339 in UTC
	}{
		{"RFC 3339 with Z, as identity/TimeInterval writes it", "2023-11-01T00:00:00Z", "2023-11-01T00:00:00Z"},
		{"milliseconds and Z, as bill/BillingPeriodStartDate writes it", "2023-11-01T00:00:00.000Z", "2023-11-01T00:00:00Z"},
		{"a space and no zone, as older legacy CURs write it", "2018-06-01 00:00:00", "2018-06-01T00:00:00Z"},
		{"a space and milliseconds, as Athena exports write it", "2022-07-01 00:00:00.000", "2022-07-01T00:00:00Z"},
		{"the compact manifest form", "20191201T000000.000Z", "2019-12-01T00:00:00Z"},
		{"the compact manifest end of a billing period", "20200101T000000.000Z", "2020-01-01T00:00:00Z"},
		{"a date alone", "2023-11-01", "2023-11-01T00:00:00Z"},
		{"a zero offset with colon", "2023-11-01T00:00:00+00:00", "2023-11-01T00:00:00Z"},
		{"a positive offset moves the instant back", "2023-11-01T02:30:00+02:30", "2023-11-01T00:00:00Z"},
		{"a negative offset moves the instant forward across midnight", "2023-10-31T19:00:00-05:00", "2023-11-01T00:00:00Z"},
		{"an offset without colon", "2023-11-01T01:00:00+0100", "2023-11-01T00:00:00Z"},
		{"an offset in hours only", "2023-11-01T01:00:00+01", "2023-11-01T00:00:00Z"},
		{"a lower-case z", "2023-11-01T00:00:00z", "2023-11-01T00:00:00Z"},
		{"nanoseconds are kept", "2023-11-01T00:00:00.123456789Z", "2023-11-01T00:00:00.123456789Z"},
		{"digits past the nanosecond are dropped", "2023-11-01T00:00:00.1234567891Z", "2023-11-01T00:00:00.123456789Z"},
		{"one fractional digit is a tenth", "2023-11-01T00:00:00.5Z", "2023-11-01T00:00:00.5Z"},
		{"the 29th of February in a leap year", "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"the last second of a year", "2023-12-31 23:59:59", "2023-12-31T23:59:59Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			want, _ := time.Parse(time.RFC3339Nano, tt.want)
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("Parse(%q) = %s (%s), want %s UTC", tt.in, got.Format(time.RFC3339Nano), got.Location(), tt.want)
			}
		})
	}
}

func TestParseTimeRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"the 30th of February", "2023-02-30"},
		{"the 30th of February at midnight, written as 24:00", "2023-02-30T24:00:00Z"},
		{"the 29th of February outside a leap year", "2023-02-29T00:00:00Z"},
		{"the 31st of April", "2023-04-31 00:00:00"},
		{"a 13th month", "2023-13-01T00:00:00Z"},
		{"a month 0", "2023-00-10T00:00:00Z"},
		{"a day 0", "2023-01-00"},
		{"hour 24", "2023-01-01T24:00:00Z"},
		{"minute 60", "2023-01-01T00:60:00Z"},
		{"a leap second, which AWS never writes", "2016-12-31T23:59:60Z"},
		{"garbage", "not a date"},
		{"the empty string", ""},
		{"a two-digit year", "23-11-01"},
		{"a single-digit month", "2023-1-01"},
		{"a missing second", "2023-11-01T00:00Z"},
		{"a dot without fraction", "2023-11-01T00:00:00.Z"},
		{"trailing text", "2023-11-01T00:00:00Z junk"},
		{"a zone name other than UTC", "2023-11-01 00:00:00 CET"},
		{"an offset beyond 23 hours", "2023-11-01T00:00:00+24:00"},
		{"a half-written offset", "2023-11-01T00:00:00+1"},
		{"a compact date with dashed time", "20231101T00:00:00Z"},
		{"dashes mixed with the compact form", "2023-1101"},
		{"a date followed by a separator alone", "2023-11-01T"},
		{"a number", "1698796800"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is not a timestamp", func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.in, got.Format(time.RFC3339Nano))
			}
			if !errors.Is(err, ErrNotTimestamp) {
				t.Errorf("got %v, want ErrNotTimestamp", err)
			}
		})
	}
}

func TestTimeCacheParsesAChangedValue(t *testing.T) {
	var c Cache
	steps := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2023-11-01T00:00:00Z", "2023-11-01T00:00:00Z", false},
		{"2023-11-01T00:00:00Z", "2023-11-01T00:00:00Z", false},
		{"2023-11-01T01:00:00Z", "2023-11-01T01:00:00Z", false},
		{"bad", "", true},
		{"2023-11-01T01:00:00Z", "2023-11-01T01:00:00Z", false},
	}
	for i, s := range steps {
		buf := []byte(s.in) // a fresh buffer each time, as the scanner reuses its own
		got, err := c.Parse(buf)
		if (err != nil) != s.wantErr {
			t.Fatalf("step %d %q: error %v, want error %v", i, s.in, err, s.wantErr)
		}
		if err == nil && got.Format(time.RFC3339) != s.want {
			t.Errorf("step %d %q: got %s, want %s", i, s.in, got.Format(time.RFC3339), s.want)
		}
		for j := range buf {
			buf[j] = 'x' // the cache must have copied, not aliased
		}
	}
}
