package awsemu

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// SetCostExplorerSkew makes Cost Explorer report amount more for the
// account in every period than the bucket's reports hold: the switch the
// reconciliation tests use to inject a discrepancy. A zero amount clears it.
func (s *Server) SetCostExplorerSkew(account string, amount decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.skew == nil {
		s.skew = map[string]decimal.Decimal{}
	}
	if amount.IsZero() {
		delete(s.skew, account)
		return
	}
	s.skew[account] = amount
}

type ceRequest struct {
	TimePeriod    struct{ Start, End string }
	Granularity   string
	Metrics       []string
	GroupBy       []struct{ Type, Key string }
	NextPageToken string
}

// ceMetrics are the cost metrics the emulator serves, in ceSums order.
var ceMetrics = []string{"UnblendedCost", "NetUnblendedCost", "AmortizedCost", "NetAmortizedCost"}

// ceSums holds one amount per ceMetrics entry.
type ceSums [4]decimal.Decimal

// getCostAndUsage is Cost Explorer's GetCostAndUsage, computed from the
// current versions of the CUR reports in the emulated bucket: the metrics
// of ceMetrics, MONTHLY or DAILY, in total or grouped by LINKED_ACCOUNT.
func (s *Server) getCostAndUsage(c *call) {
	if !s.authorize(c, "ce:GetCostAndUsage", "*") {
		return
	}
	var in ceRequest
	if err := json.NewDecoder(c.r.Body).Decode(&in); err != nil {
		s.fail(c, http.StatusBadRequest, "ValidationException", "the request body is not JSON: "+err.Error())
		return
	}
	start, err1 := time.Parse(time.DateOnly, in.TimePeriod.Start)
	end, err2 := time.Parse(time.DateOnly, in.TimePeriod.End)
	switch {
	case err1 != nil || err2 != nil || !start.Before(end):
		s.fail(c, http.StatusBadRequest, "ValidationException", "TimePeriod needs Start before End, as YYYY-MM-DD")
		return
	case in.Granularity != "MONTHLY" && in.Granularity != "DAILY":
		s.fail(c, http.StatusBadRequest, "ValidationException", "the emulator serves MONTHLY and DAILY granularity")
		return
	case len(in.Metrics) == 0 || slices.ContainsFunc(in.Metrics, func(m string) bool { return !slices.Contains(ceMetrics, m) }):
		s.fail(c, http.StatusBadRequest, "ValidationException", "the emulator serves the metrics "+strings.Join(ceMetrics, ", "))
		return
	case len(in.GroupBy) > 1 || (len(in.GroupBy) == 1 && (in.GroupBy[0].Type != "DIMENSION" || in.GroupBy[0].Key != "LINKED_ACCOUNT")):
		s.fail(c, http.StatusBadRequest, "ValidationException", "the emulator groups by DIMENSION LINKED_ACCOUNT only")
		return
	}
	sums, currency, err := s.costByDay(start, end)
	if err != nil {
		s.fail(c, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	writeJSON(c, s.ceResults(sums, currency, in.Metrics, start, end, in.Granularity == "DAILY", len(in.GroupBy) == 1))
}

// ceResults buckets the daily sums by period, adding any skew to every
// metric.
func (s *Server) ceResults(sums map[dayAccount]*ceSums, currency string, metrics []string, start, end time.Time, daily, grouped bool) any {
	type metric struct{ Amount, Unit string }
	type group struct {
		Keys    []string
		Metrics map[string]metric
	}
	type result struct {
		TimePeriod struct{ Start, End string }
		Total      map[string]metric
		Groups     []group
		Estimated  bool
	}
	s.mu.Lock()
	skew := copySkew(s.skew)
	s.mu.Unlock()
	amounts := func(v ceSums) map[string]metric {
		out := map[string]metric{}
		for _, m := range metrics {
			out[m] = metric{v[slices.Index(ceMetrics, m)].String(), currency}
		}
		return out
	}
	var results []result
	for p := start; p.Before(end); {
		next := p.AddDate(0, 1, 0)
		next = time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, time.UTC)
		if daily {
			next = p.AddDate(0, 0, 1)
		}
		next = minTime(next, end)
		byAccount := map[string]ceSums{}
		for k, v := range sums {
			if !k.day.Before(p) && k.day.Before(next) {
				byAccount[k.account] = byAccount[k.account].add(*v)
			}
		}
		for acct, d := range skew {
			byAccount[acct] = byAccount[acct].add(ceSums{d, d, d, d})
		}
		r := result{Total: map[string]metric{}, Groups: []group{}}
		r.TimePeriod.Start, r.TimePeriod.End = p.Format(time.DateOnly), next.Format(time.DateOnly)
		var total ceSums
		for _, acct := range sortedKeys(byAccount) {
			total = total.add(byAccount[acct])
			if grouped {
				r.Groups = append(r.Groups, group{Keys: []string{acct}, Metrics: amounts(byAccount[acct])})
			}
		}
		if !grouped {
			r.Total = amounts(total)
		}
		results = append(results, r)
		p = next
	}
	return map[string]any{"ResultsByTime": results, "GroupDefinitions": []any{}, "DimensionValueAttributes": []any{}}
}

func (a ceSums) add(b ceSums) ceSums {
	for i := range a {
		a[i] = a[i].Add(b[i])
	}
	return a
}

type dayAccount struct {
	day     time.Time
	account string
}

// costByDay sums the metrics by usage day and account over every report's
// current version in the emulated buckets.
func (s *Server) costByDay(start, end time.Time) (map[dayAccount]*ceSums, string, error) {
	sums := map[dayAccount]*ceSums{}
	currency := "USD"
	for _, rep := range s.state.Reports {
		dir := ""
		for _, b := range s.state.Buckets {
			if b.Name == rep.S3Bucket {
				dir = b.Dir
			}
		}
		manifests, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(rep.S3Prefix), rep.ReportName, "*", rep.ReportName+"-Manifest.json"))
		for _, path := range manifests {
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, "", err
			}
			m, err := awscur.ParseManifest(data, path)
			if err != nil {
				return nil, "", err
			}
			if !m.BillingPeriod.End.After(start) || !m.BillingPeriod.Start.Before(end) {
				continue
			}
			for _, key := range m.Keys() {
				if err := sumFile(objectPath(dir, key), sums, &currency); err != nil {
					return nil, "", err
				}
			}
		}
	}
	return sums, currency, nil
}

// sumFile adds one CUR file's line items to sums. It reads the CSV with
// encoding/csv and computes each metric by itself, not through awscur's
// reader and amortization: the reconciliation tests compare the two.
func sumFile(path string, sums map[dayAccount]*ceSums, currency *string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("report file %s: %w", path, err)
	}
	defer f.Close()
	zr, err := awscur.Decompress(f)
	if err != nil {
		return err
	}
	defer zr.Close()
	cr := csv.NewReader(zr)
	cr.FieldsPerRecord, cr.ReuseRecord, cr.LazyQuotes = -1, true, true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("report file %s: header: %w", path, err)
	}
	li := curLine{col: map[string]int{}}
	for i, name := range header {
		if k := columnKey(name); li.col[k] == 0 {
			li.col[k] = i + 1
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("report file %s: %w", path, err)
		}
		li.rec = rec
		day, err := li.day()
		if err != nil {
			return fmt.Errorf("report file %s: %w", path, err)
		}
		m, err := li.metrics()
		if err != nil {
			return fmt.Errorf("report file %s: %w", path, err)
		}
		k := dayAccount{day, cmp.Or(li.get("lineitemusageaccountid"), li.get("billpayeraccountid"))}
		sum := sums[k]
		if sum == nil {
			k.account = strings.Clone(k.account) // the record is reused
			sum = new(ceSums)
			sums[k] = sum
		}
		*sum = sum.add(m)
		*currency = strings.Clone(cmp.Or(li.get("lineitemcurrencycode"), "USD"))
	}
}

// columnKey is a CUR column name lower-cased without its separators, the
// same for lineItem/UnblendedCost and line_item_unblended_cost.
func columnKey(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, name)
}

// curLine is one CUR record with its file's columns (index + 1 by key).
type curLine struct {
	col map[string]int
	rec []string
}

func (l *curLine) get(key string) string {
	if i := l.col[key]; i > 0 && i <= len(l.rec) {
		return strings.TrimSpace(l.rec[i-1])
	}
	return ""
}

func (l *curLine) num(key string) (decimal.Decimal, error) {
	v := l.get(key)
	if v == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.Parse(v)
	if err != nil {
		return decimal.Zero, fmt.Errorf("column %s: %w", key, err)
	}
	return d, nil
}

// day is the UTC day of the usage start.
func (l *curLine) day() (time.Time, error) {
	v := l.get("lineitemusagestartdate")
	if v == "" {
		v, _, _ = strings.Cut(l.get("identitytimeinterval"), "/")
	}
	for _, layout := range []string{time.RFC3339, time.DateTime, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("usage start %q is not a time", v)
}

// metrics computes the line item's amount in each metric, the way Cost
// Explorer does: UnblendedCost is lineItem/UnblendedCost, NetUnblendedCost
// lineItem/NetUnblendedCost (the unblended cost where that is empty),
// AmortizedCost the amortization formula of aws-facts.md, and
// NetAmortizedCost the same formula over the Net* columns.
func (l *curLine) metrics() (ceSums, error) {
	unblended, err := l.num("lineitemunblendedcost")
	if err != nil {
		return ceSums{}, err
	}
	net := unblended
	if l.get("lineitemnetunblendedcost") != "" {
		if net, err = l.num("lineitemnetunblendedcost"); err != nil {
			return ceSums{}, err
		}
	}
	amortized, err := l.amortized(false, unblended)
	if err != nil {
		return ceSums{}, err
	}
	netAmortized, err := l.amortized(true, net)
	return ceSums{unblended, net, amortized, netAmortized}, err
}

// amortized is the line item's amortized cost; with net, each column is
// read as its Net* counterpart when that cell is not empty. Rows the
// formula leaves alone cost their (net) unblended cost.
func (l *curLine) amortized(net bool, cost decimal.Decimal) (decimal.Decimal, error) {
	switch l.get("lineitemlineitemtype") {
	case "SavingsPlanCoveredUsage":
		return l.sum(net, "savingsplansavingsplaneffectivecost")
	case "SavingsPlanRecurringFee":
		return l.unusedCommitment(net)
	case "SavingsPlanNegation", "SavingsPlanUpfrontFee":
		return decimal.Zero, nil
	case "DiscountedUsage":
		return l.sum(net, "reservationeffectivecost")
	case "RIFee":
		return l.sum(net, "reservationunusedamortizedupfrontfeeforbillingperiod", "reservationunusedrecurringfee")
	case "Fee":
		if l.get("reservationreservationarn") != "" {
			return decimal.Zero, nil
		}
	case "Refund":
		if l.get("lineitemproductcode") == "ComputeSavingsPlans" {
			return decimal.Zero, nil
		}
	}
	return cost, nil
}

// sum adds the columns; with net, each is read as its Net* counterpart
// when that cell is not empty.
func (l *curLine) sum(net bool, keys ...string) (decimal.Decimal, error) {
	var out decimal.Decimal
	for _, key := range keys {
		if n := netKey(key); net && l.get(n) != "" {
			key = n
		}
		d, err := l.num(key)
		if err != nil {
			return decimal.Zero, err
		}
		out = out.Add(d)
	}
	return out, nil
}

// unusedCommitment is TotalCommitmentToDate − UsedCommitment. No Net*
// column holds it: net, it is scaled by the plan's net to gross
// commitment.
func (l *curLine) unusedCommitment(net bool) (decimal.Decimal, error) {
	const up, rec = "savingsplanamortizedupfrontcommitmentforbillingperiod", "savingsplanrecurringcommitmentforbillingperiod"
	total, err1 := l.num("savingsplantotalcommitmenttodate")
	used, err2 := l.num("savingsplanusedcommitment")
	gross, err3 := l.sum(false, up, rec)
	netCommit, err4 := l.sum(true, up, rec)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return decimal.Zero, err
	}
	unused := total.Sub(used)
	if !net || gross.IsZero() || (l.get(netKey(up)) == "" && l.get(netKey(rec)) == "") {
		return unused, nil
	}
	r := new(big.Rat).Mul(rat(unused), rat(netCommit))
	return decimal.Parse(r.Quo(r, rat(gross)).FloatString(decimal.Scale))
}

// netKey is the key of a column's Net* counterpart:
// savingsplansavingsplaneffectivecost → savingsplannetsavingsplaneffectivecost.
func netKey(key string) string {
	for _, category := range []string{"reservation", "savingsplan", "lineitem"} {
		if rest, ok := strings.CutPrefix(key, category); ok {
			return category + "net" + rest
		}
	}
	return key
}

func rat(d decimal.Decimal) *big.Rat { return new(big.Rat).SetFrac(d.BigInt(), big.NewInt(1e18)) }

func copySkew(m map[string]decimal.Decimal) map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
