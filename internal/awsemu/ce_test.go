package awsemu

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

func TestCostExplorerSumsTheBucketsReports(t *testing.T) {
	st := scenario(t)
	want, err := synth.WriteBucket(st.Buckets[0].Dir, synth.Options{Seed: 4, RowsPerMonth: 600, ReportName: "reckon", Prefix: "cur",
		Payer: payer, Start: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	cfg, srv := connect(t, st, externalID)
	ce := costexplorer.NewFromConfig(cfg)
	query := func() map[string]decimal.Decimal {
		out, err := ce.GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{
			TimePeriod:  &cetypes.DateInterval{Start: aws.String("2026-08-01"), End: aws.String("2026-09-01")},
			Granularity: cetypes.GranularityMonthly,
			Metrics:     []string{"UnblendedCost"},
			GroupBy:     []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
		})
		if err != nil {
			t.Fatalf("GetCostAndUsage: %v", err)
		}
		if len(out.ResultsByTime) != 1 {
			t.Fatalf("%d periods, want 1", len(out.ResultsByTime))
		}
		got := map[string]decimal.Decimal{}
		for _, g := range out.ResultsByTime[0].Groups {
			got[g.Keys[0]] = decimal.MustParse(aws.ToString(g.Metrics["UnblendedCost"].Amount))
		}
		return got
	}
	got := query()
	for acct, sum := range want.ByAccount {
		if got[acct].Cmp(decimal.MustParse(sum.BilledCost)) != 0 {
			t.Errorf("account %s: Cost Explorer says %s, the reports hold %s", acct, got[acct], sum.BilledCost)
		}
	}
	srv.SetCostExplorerSkew("045678901234", decimal.MustParse("0.01"))
	skewed := query()
	if diff := skewed["045678901234"].Sub(got["045678901234"]); diff.Cmp(decimal.MustParse("0.01")) != 0 {
		t.Errorf("the injected discrepancy is %s, want 0.01", diff)
	}
}
