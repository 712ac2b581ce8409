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

// CostExplorerTotals asks Cost Explorer for MONTHLY UnblendedCost grouped
// by LINKED_ACCOUNT over [start, end), dates in UTC.
func (c *Client) CostExplorerTotals(ctx context.Context, start, end time.Time) (map[cost.MonthAccount]decimal.Decimal, error) {
	out := map[cost.MonthAccount]decimal.Decimal{}
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start.Format(time.DateOnly)), End: aws.String(end.Format(time.DateOnly))},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{"UnblendedCost"},
		GroupBy:     []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
	}
	for {
		page, err := c.ce.GetCostAndUsage(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("GetCostAndUsage failed (%s): allow ce:GetCostAndUsage", apiCode(err))
		}
		for _, r := range page.ResultsByTime {
			month := aws.ToString(r.TimePeriod.Start)[:7]
			for _, g := range r.Groups {
				amount, err := decimal.Parse(aws.ToString(g.Metrics["UnblendedCost"].Amount))
				if err != nil {
					return nil, fmt.Errorf("read a Cost Explorer amount: %w", err)
				}
				k := cost.MonthAccount{Month: month, Account: g.Keys[0]}
				out[k] = out[k].Add(amount)
			}
		}
		if page.NextPageToken == nil {
			return out, nil
		}
		in.NextPageToken = page.NextPageToken
	}
}
