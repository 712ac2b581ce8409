package chstore

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// benchRows is a source of n synthetic rows of high cardinality, as a
// CUR's are: a distinct resource and description per row, tags on most
// rows, amounts with 18 decimal places. Like a streaming reader, it reuses
// one Row, so the benchmark's heap stays small.
type benchRows struct {
	n, i    int
	row     cost.Row
	tags    [3][]cost.Tag
	amounts []decimal.Decimal
}

func newBenchRows(n int) *benchRows {
	p := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	b := &benchRows{n: n, row: cost.Row{ProviderName: "AWS", PublisherName: "Amazon Web Services", InvoiceIssuerName: "Amazon Web Services",
		BillingAccountID: "111122223333", BillingAccountName: "Payer", BillingPeriodStart: p, BillingPeriodEnd: p.AddDate(0, 1, 0),
		ChargeCategory: cost.ChargeUsage, ChargeFrequency: "Usage-Based", PricingCategory: "Standard", BillingCurrency: "USD",
		ServiceCategory: "Compute", ResourceType: "Instance", PricingUnit: "Hours", ConsumedUnit: "Hours",
		ServiceCode: "AmazonEC2", UsageType: "BoxUsage:t3.micro", Operation: "RunInstances", LineItemType: "Usage"}}
	for i := range 1000 {
		b.amounts = append(b.amounts, decimal.MustParse(fmt.Sprintf("%d.%018d", i%97, i*7919%1_000_000_007)))
	}
	for i := range b.tags {
		b.tags[i] = []cost.Tag{{Key: "env", Value: []string{"prod", "dev", "test"}[i]}, {Key: "team", Value: "team-" + strconv.Itoa(i)}}
	}
	return b
}

var (
	benchServices = []string{"Amazon Elastic Compute Cloud", "Amazon Simple Storage Service", "AWS Lambda", "Amazon Relational Database Service", "Tax"}
	benchRegions  = []string{"us-east-1", "eu-west-1", "ap-southeast-2", ""}
)

func (b *benchRows) Next() (*cost.Row, error) {
	if b.i >= b.n {
		return nil, io.EOF
	}
	i := b.i
	b.i++
	r := &b.row
	r.SubAccountID = subAccounts[i%len(subAccounts)]
	r.ChargePeriodStart = r.BillingPeriodStart.Add(time.Duration(i%720) * time.Hour)
	r.ChargePeriodEnd = r.ChargePeriodStart.Add(time.Hour)
	r.ChargeDescription = "$0.0104 per On Demand Linux t3.micro Instance Hour, line " + strconv.Itoa(i)
	amount := b.amounts[i%len(b.amounts)]
	r.BilledCost, r.EffectiveCost, r.ListCost, r.UnblendedCost, r.BlendedCost = amount, amount, amount, amount, amount
	r.ServiceName = benchServices[i%len(benchServices)]
	r.RegionID = benchRegions[i%len(benchRegions)]
	r.RegionName = r.RegionID
	r.ResourceID = "arn:aws:ec2:us-east-1:111122223333:instance/i-" + strconv.FormatInt(int64(i)*2654435761, 16)
	q := cost.NullDecimal{Decimal: decimal.FromInt(int64(i % 24)), Valid: true}
	r.PricingQuantity, r.ConsumedQuantity = q, q
	r.Tags = nil
	if i%4 != 0 {
		r.Tags = b.tags[i%3]
	}
	return r, nil
}

var subAccounts = func() []string {
	out := make([]string, 97)
	for i := range out {
		out[i] = fmt.Sprintf("%012d", i)
	}
	return out
}()

// BenchmarkReplacePeriods loads 200,000 rows of one billing period into
// the two-shard test cluster, restating it each time, and reports rows a
// second. Cleanup of the replaced loads is not timed.
func BenchmarkReplacePeriods(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	const n = 200_000
	load := cost.Load{Source: "aws-cur/111122223333/r", BillingAccount: "111122223333"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		load.Version = strconv.Itoa(i)
		if _, err := s.ReplacePeriods(ctx, load, newBenchRows(n)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := s.Cleanup(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
