package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/decimal"
)

func newRateCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "rate", Short: "Exchange rates: how budgets convert costs in other currencies",
		Long: `A budget counts its scope's costs in its own currency: costs in another are
converted with the exchange rate Reckon has from that currency to the
budget's, and a budget whose scope has costs in a currency without a rate
cannot be measured. A rate is how many TO one FROM is worth: reckon rate set
EUR USD 1.08. Anyone signed in reads the rates; setting them needs
Contributor at mg/root, as every budget converts with them.`}
	cmd.AddCommand(
		apiCommand("set FROM TO RATE", "Set the rate from one currency to another", cobra.ArbitraryArgs, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				if len(args) != 3 {
					return usageErrorf("give FROM TO RATE, such as EUR USD 1.08; got %d arguments", len(args))
				}
				r, err := checkRate(args[0], args[1], args[2])
				if err != nil {
					return usageError{err}
				}
				var set rateView
				if err := c.do(cmd.Context(), "PUT", "/api/v1/exchangeRates", r, &set); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), set)
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "Set 1 %s = %s %s.\n", set.From, plain(set.Rate), set.To)
				return err
			}),
		apiCommand("list", "List the exchange rates", cobra.NoArgs, nil, listRates),
		apiCommand("delete FROM TO", "Delete the rate from one currency to another", cobra.ArbitraryArgs, nil,
			func(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
				if len(args) != 2 {
					return usageErrorf("give FROM TO, such as EUR USD; got %d arguments", len(args))
				}
				from, to := strings.ToUpper(args[0]), strings.ToUpper(args[1])
				q := url.Values{"from": {from}, "to": {to}}
				if err := c.do(cmd.Context(), "DELETE", "/api/v1/exchangeRates?"+q.Encode(), nil, nil); err != nil {
					return err
				}
				if f.format == "json" {
					return printJSON(cmd.OutOrStdout(), map[string]string{"deleted": from + " " + to})
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Deleted the rate from %s to %s.\n", from, to)
				return err
			}),
		withLong(apiCommand("import FILE.csv", "Set the rates of a CSV file of from,to,rate lines, all checked before any is sent", cobra.ArbitraryArgs, nil,
			importRates), `Set the exchange rates of a CSV file, a rate to a line:

  from,to,rate
  EUR,USD,1.08
  GBP,USD,1.27

The header is optional, lines starting with # are comments, and codes may
be in any case. Every line is checked first: a line that is not three
fields, a code that is not three letters, a rate that is not a number above
0, one currency twice or a pair given twice is refused with its line number,
and nothing is sent. Then each rate is set in turn.`),
	)
	return cmd
}

// rateView is an exchange rate as the API takes and answers it.
type rateView struct {
	From    string      `json:"from"`
	To      string      `json:"to"`
	Rate    json.Number `json:"rate"`
	Updated time.Time   `json:"updated,omitzero"`
}

var currencyShape = regexp.MustCompile(`^[A-Z]{3}$`)

// checkRate checks a rate as the server will, so that a file is refused
// whole before any of it is sent.
func checkRate(from, to, rate string) (rateView, error) {
	r := rateView{From: strings.ToUpper(strings.TrimSpace(from)), To: strings.ToUpper(strings.TrimSpace(to)), Rate: json.Number(strings.TrimSpace(rate))}
	for _, c := range []string{r.From, r.To} {
		if !currencyShape.MatchString(c) {
			return r, fmt.Errorf("currency %q is not an ISO 4217 code such as USD or EUR", c)
		}
	}
	if r.From == r.To {
		return r, fmt.Errorf("a rate converts one currency into another; %s to %s is 1", r.From, r.To)
	}
	d, err := decimal.Parse(string(r.Rate))
	if err != nil {
		return r, fmt.Errorf("rate %q is not a number, such as 1.08", string(r.Rate))
	}
	if d.Sign() <= 0 {
		return r, fmt.Errorf("the rate from %s to %s must be above 0; got %s", r.From, r.To, r.Rate)
	}
	return r, nil
}

func listRates(cmd *cobra.Command, c *apiClient, f *clientFlags, _ []string) error {
	var res struct{ Value []rateView }
	if err := c.do(cmd.Context(), "GET", "/api/v1/exchangeRates", nil, &res); err != nil {
		return err
	}
	if f.format == "json" {
		return printJSON(cmd.OutOrStdout(), res.Value)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FROM\tTO\tRATE\tUPDATED")
	for _, r := range res.Value {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.From, r.To, plain(r.Rate), r.Updated.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return tw.Flush()
}

// importRates reads every line of the file and checks it, then sets the
// rates one by one: a bad line sends nothing.
func importRates(cmd *cobra.Command, c *apiClient, f *clientFlags, args []string) error {
	if len(args) != 1 {
		return usageErrorf("give one CSV file of from,to,rate lines; got %d arguments", len(args))
	}
	file, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf("open the rates: %w", err)
	}
	defer file.Close()
	rates, err := readRates(file, args[0])
	if err != nil {
		return err
	}
	for i, r := range rates {
		if err := c.do(cmd.Context(), "PUT", "/api/v1/exchangeRates", r, nil); err != nil {
			return fmt.Errorf("set %s to %s (%d of %d; those before it are set): %w", r.From, r.To, i+1, len(rates), err)
		}
	}
	if f.format == "json" {
		return printJSON(cmd.OutOrStdout(), rates)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "Set %d rates from %s.\n", len(rates), args[0])
	return err
}

// readRates reads from,to,rate lines, the first of which may be a header,
// naming the line of the first mistake.
func readRates(in io.Reader, name string) ([]rateView, error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.Comment = '#'
	var out []rateView
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w (nothing was sent)", name, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 3 && len(out) == 0 && len(seen) == 0 && strings.EqualFold(strings.Join(rec, ","), "from,to,rate") {
			continue
		}
		if len(rec) != 3 {
			return nil, fmt.Errorf("%s line %d: %d fields; write from,to,rate, such as EUR,USD,1.08 (nothing was sent)", name, line, len(rec))
		}
		rate, err := checkRate(rec[0], rec[1], rec[2])
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w (nothing was sent)", name, line, err)
		}
		pair := rate.From + " " + rate.To
		if first, ok := seen[pair]; ok {
			return nil, fmt.Errorf("%s line %d: %s to %s is on line %d too: give each pair once (nothing was sent)", name, line, rate.From, rate.To, first)
		}
		seen[pair] = line
		out = append(out, rate)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no rates: write from,to,rate lines, such as EUR,USD,1.08", name)
	}
	return out, nil
}
