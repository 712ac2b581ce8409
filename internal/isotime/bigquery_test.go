package isotime

import (
	"testing"
	"time"
)

func TestParseTimeOfFOCUSFiles(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string // want is RFC 3339 in UTC
	}{
		{"RFC 3339 with Z, as AWS and Microsoft write it", "2024-09-01T00:00:00Z", "2024-09-01T00:00:00Z"},
		{"milliseconds and Z", "2024-09-01T00:00:00.000Z", "2024-09-01T00:00:00Z"},
		{"seven fractional digits, as .NET writes them", "2024-09-01T00:00:00.0000000Z", "2024-09-01T00:00:00Z"},
		{"a space and no zone, as the FOCUS sample data writes it", "2024-09-01 00:00:00", "2024-09-01T00:00:00Z"},
		{"a space and UTC, as BigQuery writes it", "2024-09-01 00:00:00 UTC", "2024-09-01T00:00:00Z"},
		{"a date alone", "2024-09-01", "2024-09-01T00:00:00Z"},
		{"an offset moves the instant", "2024-09-01T02:00:00+02:00", "2024-09-01T00:00:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			want, _ := time.Parse(time.RFC3339Nano, tt.want)
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Fatalf("Parse(%q) = %v, want %v", tt.in, got, want)
			}
		})
	}
	for _, bad := range []string{"9/14/26", "2024-09-01 00:00:00 CET", "2024-02-30", "2024-09-01T24:00:00Z", "2024-09-01 00:00:00 UTCX", ""} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
