package awsapi

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// CostExplorerTotals asks Cost Explorer for the MONTHLY totals of the
// metrics (UnblendedCost, NetAmortizedCost…) grouped by LINKED_ACCOUNT over
// [start, end), dates in UTC, in one request.
func (c *Client) CostExplorerTotals(ctx context.Context, start, end time.Time, metrics ...cost.Metric) (map[cost.Metric]map[cost.MonthAccount]decimal.Decimal, error) {
	out := map[cost.Metric]map[cost.MonthAccount]decimal.Decimal{}
	names := make([]string, len(metrics))
	for i, m := range metrics {
		names[i] = string(m)
		out[m] = map[cost.MonthAccount]decimal.Decimal{}
	}
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start.Format(time.DateOnly)), End: aws.String(end.Format(time.DateOnly))},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     names,
		GroupBy:     []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
	}
	for {
		page, err := c.ce.GetCostAndUsage(ctx, in)
		if err != nil {
			if failed := c.roleFailed(err); failed != nil {
				return nil, failed
			}
			return nil, &cost.Error{Code: cost.EUnauthorized, Message: fmt.Sprintf(
				"Cost Explorer's GetCostAndUsage failed (%s): allow ce:GetCostAndUsage on * to the connector's role", apiCode(err))}
		}
		for _, r := range page.ResultsByTime {
			month := aws.ToString(r.TimePeriod.Start)[:7]
			for _, g := range r.Groups {
				k := cost.MonthAccount{Month: month, Account: g.Keys[0]}
				for _, m := range metrics {
					v, ok := g.Metrics[string(m)]
					if !ok {
						return nil, fmt.Errorf("the Cost Explorer answer for %s in %s lacks the %s metric", k.Account, month, m)
					}
					amount, err := decimal.Parse(aws.ToString(v.Amount))
					if err != nil {
						return nil, fmt.Errorf("read a Cost Explorer %s amount: %w", m, err)
					}
					out[m][k] = out[m][k].Add(amount)
				}
			}
		}
		if page.NextPageToken == nil {
			return out, nil
		}
		in.NextPageToken = page.NextPageToken
	}
}
