// Package isotime reads the timestamp forms that cloud cost files write
// (CURs, their manifests, FOCUS files, BigQuery exports) without
// allocating, always in UTC.
package isotime

import (
	"errors"
	"time"
)

// ErrNotTimestamp is the error of a value that is not a timestamp.
var ErrNotTimestamp = errors.New("not a timestamp: expected a form such as 2024-09-01T00:00:00Z, 2024-09-01T00:00:00.000Z, 2024-09-01 00:00:00 or 20240901T000000.000Z")

// Parse reads the forms found in cost files:
//
//	2023-11-01T00:00:00Z        2023-11-01T00:00:00.000Z
//	2018-06-01 00:00:00         2022-07-01 00:00:00.000
//	2023-11-01T00:00:00+00:00   20240901T000000.000Z (compact)
//	2023-11-01                  (a date alone)
//	2024-09-01 00:00:00 UTC     (BigQuery)
//
// A time without an offset is UTC. The result is always UTC.
func Parse(b []byte) (time.Time, error) {
	p := timeParser{b: b}
	year := p.digits(4)
	compact := !p.sep('-')
	month := p.digits(2)
	if !compact && !p.sep('-') {
		return time.Time{}, ErrNotTimestamp
	}
	day := p.digits(2)
	var hour, minute, sec, nsec int
	if p.more() {
		if !p.sep('T') && !p.sep(' ') {
			return time.Time{}, ErrNotTimestamp
		}
		hour = p.digits(2)
		if !compact && !p.sep(':') {
			return time.Time{}, ErrNotTimestamp
		}
		minute = p.digits(2)
		if !compact && !p.sep(':') {
			return time.Time{}, ErrNotTimestamp
		}
		sec = p.digits(2)
		if p.sep('.') {
			nsec = p.fraction()
		}
	}
	offset := 0
	if p.more() {
		var ok bool
		if offset, ok = p.zone(); !ok {
			return time.Time{}, ErrNotTimestamp
		}
	}
	// Every field is checked here, before time.Date, which would otherwise
	// normalise 2023-02-30 to 2 March or 24:00 to the next day.
	if p.bad || p.more() || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, ErrNotTimestamp
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// daysIn is the number of days in month (1–12) of year.
func daysIn(month, year int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type timeParser struct {
	b   []byte
	i   int
	bad bool
}

func (p *timeParser) more() bool { return p.i < len(p.b) }

func (p *timeParser) sep(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *timeParser) digits(n int) int {
	v := 0
	for range n {
		if p.i >= len(p.b) || p.b[p.i] < '0' || p.b[p.i] > '9' {
			p.bad = true
			return 0
		}
		v = v*10 + int(p.b[p.i]-'0')
		p.i++
	}
	return v
}

// fraction reads fractional seconds (1 to 9 digits) as nanoseconds.
func (p *timeParser) fraction() int {
	v, n := 0, 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		if n < 9 {
			v = v*10 + int(p.b[p.i]-'0')
			n++
		}
		p.i++
	}
	if n == 0 {
		p.bad = true
	}
	for ; n < 9; n++ {
		v *= 10
	}
	return v
}

// zone reads "Z", " UTC", "+hh:mm", "+hhmm" or "+hh" and returns the offset in seconds.
func (p *timeParser) zone() (int, bool) {
	if p.sep('Z') || p.sep('z') {
		return 0, true
	}
	// BigQuery, where Google's FOCUS export lives, writes " UTC".
	if rest := string(p.b[p.i:]); rest == " UTC" || rest == "UTC" {
		p.i = len(p.b)
		return 0, true
	}
	sign := 1
	switch {
	case p.sep('+'):
	case p.sep('-'):
		sign = -1
	default:
		return 0, false
	}
	h := p.digits(2)
	m := 0
	if p.more() {
		p.sep(':')
		m = p.digits(2)
	}
	if p.bad || h > 23 || m > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}

// Cache remembers the last value parsed for one column: consecutive
// rows mostly repeat their timestamps, and comparing bytes beats parsing.
type Cache struct {
	raw []byte
	t   time.Time
}

// Parse is Parse(b), answered from memory when b is the value parsed last.
func (c *Cache) Parse(b []byte) (time.Time, error) {
	if len(c.raw) > 0 && string(b) == string(c.raw) {
		return c.t, nil
	}
	t, err := Parse(b)
	if err != nil {
		return time.Time{}, err
	}
	c.raw = append(c.raw[:0], b...)
	c.t = t
	return t, nil
}
