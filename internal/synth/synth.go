// Package synth generates deterministic, realistic AWS Cost and Usage Reports
// (legacy CUR 1.0, gzip CSV) for tests, the demo and the ingest benchmark, and
// computes the exact totals a correct loader must arrive at.
//
// The organisation it bills has a payer and linked accounts using EC2, EBS,
// S3, RDS, Lambda, CloudWatch, DynamoDB, VPC, data transfer, a Marketplace
// product and Cost Explorer across five regions, with a Reserved Instance, a
// Compute Savings Plan, an Enterprise Discount Program, private pricing,
// support, credits, refunds and tax, so every lineItem/LineItemType appears.
//
// Totals are kept in exact decimal arithmetic over the very strings written
// (128-bit integers at 10^-17 while generating, math/big to format), never
// float64. The same Options always give byte-identical output.
package synth

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"
)

// Versioning is the CUR report versioning setting.
type Versioning string

// The two AWS report versioning modes.
const (
	CreateNewReport Versioning = "CREATE_NEW_REPORT"
	OverwriteReport Versioning = "OVERWRITE_REPORT"
)

// Cardinality says how many distinct values the string columns take.
type Cardinality string

// The cardinalities the generator produces.
const (
	RealisticCardinality Cardinality = "realistic"
	HighCardinality      Cardinality = "high"
)

// Options describes the report to generate. Zero fields take the documented
// defaults.
type Options struct {
	// Seed picks the resources, tags and every amount.
	Seed int64
	// Payer is the 12-digit payer (management) account id; default
	// "012345678901" (leading zero on purpose).
	Payer string
	// Accounts are the usage accounts; default the payer plus five linked
	// accounts, one of them with a leading zero.
	Accounts []string
	// Start is the first billing period, the first of a month UTC; default
	// 2026-08-01.
	Start time.Time
	// Months is the number of billing periods; default 1.
	Months int
	// RowsPerMonth is the approximate number of rows of a full billing period
	// (the exact count is in Totals.Rows); default 2000.
	RowsPerMonth int
	// ReportName defaults to "reckon-cur".
	ReportName string
	// Prefix is the S3 prefix; it may be empty or contain "/".
	Prefix string
	// Bucket is the bucket name written into manifests; default "reckon-billing".
	Bucket string
	// Versioning defaults to CreateNewReport.
	Versioning Versioning
	// Versions is the number of deliveries per billing period (default 1).
	// Each is a full restatement with different numbers: delivery v of n
	// covers the first (v+1)/n of the period's days, with fresh amounts.
	Versions int
	// FilesPerVersion is the number of data files per delivery (default 1);
	// rows are split by hour and each file has the header.
	FilesPerVersion int
	// NetColumns adds lineItem/NetUnblendedCost, lineItem/NetUnblendedRate,
	// discount/* and the net reservation and Savings Plan columns. Net
	// differs from unblended on discounted rows; the EDP also discounts RI
	// and Savings Plan fees and their net effective costs. Net is 0 on
	// EdpDiscount and PrivateRateDiscount rows (already spread into other
	// rows' net) and empty on a few rows. Totals' EffectiveCost is then the
	// net amortized cost.
	NetColumns bool
	// Cardinality is RealisticCardinality (the default) or HighCardinality:
	// every usage row then carries a distinct lineItem/LineItemDescription,
	// lineItem/ResourceId and resourceTags/user:RequestId value, as CURs
	// with per-request descriptions, per-object resources and unique tags
	// do. Totals are the same as at realistic cardinality, except that
	// ByTag does not count RequestId.
	Cardinality Cardinality
	// Now is when the newest delivery happened. Periods that ended by Now
	// are closed and invoiced; the period containing Now covers the days
	// before Now's date (at least one) and has no invoice id. Zero means the
	// last period is the current month, not yet invoiced, covering all its
	// days.
	Now time.Time
}

// Totals are the exact expected sums over the current version of every
// billing period. Amounts are canonical decimal strings ("12345.6789012345",
// "0", "-1.5"); compare them as numbers.
type Totals struct {
	Rows          int64  `json:"rows"`
	BilledCost    string `json:"billedCost"`
	EffectiveCost string `json:"effectiveCost"`
	ListCost      string `json:"listCost"`
	// ByPeriod is keyed "2026-08".
	ByPeriod map[string]Sum `json:"byPeriod"`
	// ByAccount is keyed by lineItem/UsageAccountId.
	ByAccount map[string]Sum `json:"byAccount"`
	// ByService is keyed by product/ProductName, or lineItem/ProductCode when
	// the name is empty (the FOCUS ServiceName).
	ByService map[string]Sum `json:"byService"`
	// ByLineItemType is keyed by lineItem/LineItemType.
	ByLineItemType map[string]Sum `json:"byLineItemType"`
	// ByDay is keyed by the UTC date of lineItem/UsageStartDate, "2026-08-03".
	ByDay map[string]Sum `json:"byDay"`
	// ByTag is keyed "Environment=prod" for user tags (prefix "user:"
	// stripped) and "aws:createdBy=..." for AWS tags; empty values are not
	// counted.
	ByTag map[string]Sum `json:"byTag"`
}

// Sum is the row count and exact costs of one group.
type Sum struct {
	Rows          int64  `json:"rows"`
	BilledCost    string `json:"billedCost"`
	EffectiveCost string `json:"effectiveCost"`
}

// ReadTotals reads the expected-totals.json written by WriteBucket.
func ReadTotals(path string) (*Totals, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read totals: %w", err)
	}
	var t Totals
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("parse totals %s: %w", path, err)
	}
	return &t, nil
}

// DemoOptions returns the demo organisation: a payer and five linked
// accounts, the three closed months before now, about 3000 rows a month.
func DemoOptions(now time.Time) Options {
	now = now.UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return Options{
		Seed:         42,
		Start:        month.AddDate(0, -2, 0), // two closed months and this one to date
		Months:       3,
		RowsPerMonth: 3000,
		NetColumns:   true,
		Now:          now,
	}
}

// WriteCSV writes every billing period (newest delivery only) as one plain
// CSV with a single header and returns the expected totals.
func WriteCSV(w io.Writer, o Options) (*Totals, error) {
	g, err := newGen(o)
	if err != nil {
		return nil, err
	}
	out := newCSVOut(w, g.cols)
	out.header()
	t := g.newTally()
	for _, p := range g.periods {
		if err := g.writeDelivery(g.delivery(p, g.o.Versions-1), []*csvOut{out}, t); err != nil {
			return nil, err
		}
	}
	if err := out.flush(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return g.totals(t), nil
}

var (
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
	reportRe  = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()]{1,256}$`)
	prefixRe  = regexp.MustCompile(`^[0-9A-Za-z!\-_.*'()/]{0,256}$`)
)

// withDefaults fills zero fields and rejects impossible options.
func (o Options) withDefaults() (Options, error) {
	if o.Payer == "" {
		o.Payer = "012345678901"
	}
	if o.Accounts == nil {
		o.Accounts = []string{o.Payer, "234567890123", "345678901234", "045678901234", "567890123456", "678901234567"}
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	}
	o.Months = or(o.Months, 1)
	o.RowsPerMonth = or(o.RowsPerMonth, 2000)
	o.Versions = or(o.Versions, 1)
	o.FilesPerVersion = or(o.FilesPerVersion, 1)
	if o.ReportName == "" {
		o.ReportName = "reckon-cur"
	}
	if o.Bucket == "" {
		o.Bucket = "reckon-billing"
	}
	if o.Versioning == "" {
		o.Versioning = CreateNewReport
	}
	if o.Cardinality == "" {
		o.Cardinality = RealisticCardinality
	}
	return o, o.validate()
}

// validate rejects options no real report could have.
func (o Options) validate() error {
	switch {
	case !accountRe.MatchString(o.Payer):
		return fmt.Errorf("payer %q: want a 12-digit account id", o.Payer)
	case len(o.Accounts) == 0:
		return fmt.Errorf("accounts: want at least one usage account")
	case o.Start.Location() != time.UTC || o.Start.Day() != 1 || o.Start.Hour() != 0 ||
		o.Start.Minute() != 0 || o.Start.Second() != 0 || o.Start.Nanosecond() != 0:
		return fmt.Errorf("start %s: want the first of a month, 00:00 UTC", o.Start)
	case o.Months < 1 || o.Months > 120:
		return fmt.Errorf("months %d: want 1 to 120", o.Months)
	case o.RowsPerMonth < 1 || o.RowsPerMonth > 1e9:
		return fmt.Errorf("rows per month %d: want 1 to 1e9", o.RowsPerMonth)
	case o.Versions < 1 || o.Versions > 100:
		return fmt.Errorf("versions %d: want 1 to 100", o.Versions)
	case o.FilesPerVersion < 1 || o.FilesPerVersion > 1000:
		return fmt.Errorf("files per version %d: want 1 to 1000", o.FilesPerVersion)
	case !reportRe.MatchString(o.ReportName):
		return fmt.Errorf("report name %q: use up to 256 of 0-9 A-Z a-z !-_.*'()", o.ReportName)
	case !prefixRe.MatchString(o.Prefix):
		return fmt.Errorf("prefix %q: use up to 256 of 0-9 A-Z a-z !-_.*'()/", o.Prefix)
	case o.Cardinality != RealisticCardinality && o.Cardinality != HighCardinality:
		return fmt.Errorf("cardinality %q: want %s or %s", o.Cardinality, RealisticCardinality, HighCardinality)
	case o.Versioning != CreateNewReport && o.Versioning != OverwriteReport:
		return fmt.Errorf("versioning %q: want %s or %s", o.Versioning, CreateNewReport, OverwriteReport)
	}
	seen := map[string]bool{}
	for _, a := range o.Accounts {
		if !accountRe.MatchString(a) || seen[a] {
			return fmt.Errorf("account %q: want unique 12-digit account ids", a)
		}
		seen[a] = true
	}
	if !o.Now.IsZero() && !o.Now.After(o.Start) {
		return fmt.Errorf("now %s: want a time after start %s", o.Now, o.Start)
	}
	last := o.Start.AddDate(0, o.Months-1, 0)
	if !o.Now.IsZero() && o.Now.Before(last) {
		return fmt.Errorf("now %s: the period starting %s would be in the future", o.Now, last.Format("2006-01"))
	}
	return nil
}

func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
