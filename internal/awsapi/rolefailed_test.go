package awsapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// TestARoleThatCannotBeAssumedIsFailedToAssumeRoleInEveryCall: the SDK
// assumes the role on the first call that needs it, so a collection and a
// reconciliation must name the role, not the call, as verify does.
func TestARoleThatCannotBeAssumedIsFailedToAssumeRoleInEveryCall(t *testing.T) {
	st := customer(t)
	st.Roles[0].TrustPolicy = json.RawMessage(iampolicy.TrustPolicy(reckonAccount, "another-external-id-than-the-connectors"))
	c, _ := client(t, st)
	ctx := context.Background()
	_, _, locErr := c.ReportLocation(ctx)
	_, ceErr := c.CostExplorerTotals(ctx, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), cost.MetricUnblended)
	for name, err := range map[string]error{"finding the report": locErr, "asking Cost Explorer": ceErr} {
		if cost.ErrorCode(err) != cost.EFailedToAssumeRole || !strings.Contains(cost.ErrorMessage(err), "sts:ExternalId") {
			t.Errorf("%s: %v, want FailedToAssumeRole", name, err)
		}
	}

	c, srv := client(t, customer(t))
	srv.SetFault("GetCostAndUsage", awsemu.Fault{Kind: awsemu.FaultAccessDenied})
	_, err := c.CostExplorerTotals(ctx, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), cost.MetricUnblended)
	if cost.ErrorCode(err) != cost.EUnauthorized {
		t.Errorf("Cost Explorer refusing the role: %v, want Unauthorized with what to allow", err)
	}
}
