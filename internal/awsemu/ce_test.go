package awsemu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"

	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// ceByAccount asks for August 2026's metrics grouped by linked account.
func ceByAccount(t *testing.T, ce *costexplorer.Client, metrics ...string) map[string]map[string]decimal.Decimal {
	t.Helper()
	out, err := ce.GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2026-08-01"), End: aws.String("2026-09-01")},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     metrics,
		GroupBy:     []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
	})
	if err != nil {
		t.Fatalf("GetCostAndUsage: %v", err)
	}
	if len(out.ResultsByTime) != 1 {
		t.Fatalf("%d periods, want 1", len(out.ResultsByTime))
	}
	got := map[string]map[string]decimal.Decimal{}
	for _, m := range metrics {
		got[m] = map[string]decimal.Decimal{}
		for _, g := range out.ResultsByTime[0].Groups {
			got[m][g.Keys[0]] = decimal.MustParse(aws.ToString(g.Metrics[m].Amount))
		}
	}
	return got
}

var allMetrics = []string{"UnblendedCost", "NetUnblendedCost", "AmortizedCost", "NetAmortizedCost"}

func TestCostExplorerSumsTheBucketsReports(t *testing.T) {
	st := scenario(t)
	want, err := synth.WriteBucket(st.Buckets[0].Dir, synth.Options{Seed: 4, RowsPerMonth: 600, ReportName: "reckon", Prefix: "cur",
		Payer: payer, Start: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	cfg, srv := connect(t, st, externalID)
	ce := costexplorer.NewFromConfig(cfg)
	got := ceByAccount(t, ce, allMetrics...)
	for acct, sum := range want.ByAccount {
		// Without net columns there are no negotiated discounts: each net
		// metric equals its plain one.
		for m, w := range map[string]string{"UnblendedCost": sum.BilledCost, "NetUnblendedCost": sum.BilledCost,
			"AmortizedCost": sum.EffectiveCost, "NetAmortizedCost": sum.EffectiveCost} {
			if got[m][acct].Cmp(decimal.MustParse(w)) != 0 {
				t.Errorf("account %s: Cost Explorer's %s is %s, the reports hold %s", acct, m, got[m][acct], w)
			}
		}
	}
	srv.SetCostExplorerSkew("045678901234", decimal.MustParse("0.01"))
	skewed := ceByAccount(t, ce, allMetrics...)
	for _, m := range allMetrics {
		if diff := skewed[m]["045678901234"].Sub(got[m]["045678901234"]); diff.Cmp(decimal.MustParse("0.01")) != 0 {
			t.Errorf("%s: the injected discrepancy is %s, want 0.01", m, diff)
		}
	}
}

// TestCostExplorerNetMetricsFollowTheNetColumns loads a CUR with negotiated
// discounts: NetAmortizedCost is the generator's expected EffectiveCost,
// NetUnblendedCost its BilledCost, and AmortizedCost differs from
// NetAmortizedCost by the discounts on commitments.
func TestCostExplorerNetMetricsFollowTheNetColumns(t *testing.T) {
	st := scenario(t)
	want, err := synth.WriteBucket(st.Buckets[0].Dir, synth.Options{Seed: 4, RowsPerMonth: 600, ReportName: "reckon", Prefix: "cur",
		Payer: payer, Start: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), NetColumns: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := connect(t, st, externalID)
	got := ceByAccount(t, costexplorer.NewFromConfig(cfg), allMetrics...)
	differ := false
	for acct, sum := range want.ByAccount {
		// Every discount on a net cost is on the account's EDP line too, so
		// unblended and net unblended costs agree per account.
		for m, w := range map[string]string{"UnblendedCost": sum.BilledCost, "NetUnblendedCost": sum.BilledCost,
			"NetAmortizedCost": sum.EffectiveCost} {
			if got[m][acct].Cmp(decimal.MustParse(w)) != 0 {
				t.Errorf("account %s: Cost Explorer's %s is %s, the reports hold %s", acct, m, got[m][acct], w)
			}
		}
		differ = differ || got["AmortizedCost"][acct].Cmp(got["NetAmortizedCost"][acct]) != 0
	}
	if !differ {
		t.Error("AmortizedCost equals NetAmortizedCost for every account: the commitments' discounts do not show")
	}
}

func TestCostExplorerRefusesMetricsItDoesNotServe(t *testing.T) {
	cfg, _ := connect(t, scenario(t), externalID)
	_, err := costexplorer.NewFromConfig(cfg).GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2026-08-01"), End: aws.String("2026-09-01")},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{"NetAmortizedCost", "BlendedCost"},
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
		t.Errorf("got %v, want a ValidationException", err)
	}
}
