package awsemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// getCostAndUsage is Cost Explorer's GetCostAndUsage, computed from the
// current versions of the CUR reports in the emulated bucket: UnblendedCost,
// MONTHLY or DAILY, in total or grouped by LINKED_ACCOUNT.
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
	case !slices.Equal(in.Metrics, []string{"UnblendedCost"}):
		s.fail(c, http.StatusBadRequest, "ValidationException", "the emulator serves the UnblendedCost metric")
		return
	case len(in.GroupBy) > 1 || (len(in.GroupBy) == 1 && (in.GroupBy[0].Type != "DIMENSION" || in.GroupBy[0].Key != "LINKED_ACCOUNT")):
		s.fail(c, http.StatusBadRequest, "ValidationException", "the emulator groups by DIMENSION LINKED_ACCOUNT only")
		return
	}
	sums, currency, err := s.unblendedByDay(start, end)
	if err != nil {
		s.fail(c, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	writeJSON(c, s.ceResults(sums, currency, start, end, in.Granularity == "DAILY", len(in.GroupBy) == 1))
}

// ceResults buckets the daily sums by period, adding any skew.
func (s *Server) ceResults(sums map[dayAccount]*decimal.Decimal, currency string, start, end time.Time, daily, grouped bool) any {
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
	var results []result
	for p := start; p.Before(end); {
		next := p.AddDate(0, 1, 0)
		next = time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, time.UTC)
		if daily {
			next = p.AddDate(0, 0, 1)
		}
		next = minTime(next, end)
		byAccount := map[string]decimal.Decimal{}
		for k, v := range sums {
			if !k.day.Before(p) && k.day.Before(next) {
				byAccount[k.account] = byAccount[k.account].Add(*v)
			}
		}
		for acct, d := range skew {
			byAccount[acct] = byAccount[acct].Add(d)
		}
		r := result{Total: map[string]metric{}, Groups: []group{}}
		r.TimePeriod.Start, r.TimePeriod.End = p.Format(time.DateOnly), next.Format(time.DateOnly)
		total := decimal.Zero
		for _, acct := range sortedKeys(byAccount) {
			total = total.Add(byAccount[acct])
			if grouped {
				r.Groups = append(r.Groups, group{Keys: []string{acct},
					Metrics: map[string]metric{"UnblendedCost": {byAccount[acct].String(), currency}}})
			}
		}
		if !grouped {
			r.Total["UnblendedCost"] = metric{total.String(), currency}
		}
		results = append(results, r)
		p = next
	}
	return map[string]any{"ResultsByTime": results, "GroupDefinitions": []any{}, "DimensionValueAttributes": []any{}}
}

type dayAccount struct {
	day     time.Time
	account string
}

// unblendedByDay sums lineItem/UnblendedCost by usage day and account over
// every report's current version in the emulated buckets.
func (s *Server) unblendedByDay(start, end time.Time) (map[dayAccount]*decimal.Decimal, string, error) {
	sums := map[dayAccount]*decimal.Decimal{}
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

func sumFile(path string, sums map[dayAccount]*decimal.Decimal, currency *string) error {
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
	r, err := awscur.NewReader(zr, path)
	if err != nil {
		return err
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		t := row.ChargePeriodStart
		k := dayAccount{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), row.SubAccountID}
		sum := sums[k]
		if sum == nil {
			// The row's strings alias the reader's buffer, and assigning to a
			// map stores the key given even when it is already there: only
			// ever store a copy.
			k.account = strings.Clone(k.account)
			sum = new(decimal.Decimal)
			sums[k] = sum
		}
		*sum = sum.Add(row.UnblendedCost)
		*currency = strings.Clone(row.BillingCurrency)
	}
}

func copySkew(m map[string]decimal.Decimal) map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]decimal.Decimal) []string {
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
