package cost

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// mustID fails the test on a scope ID error: mustID(t)(SubscriptionID(…)).
func mustID(t *testing.T) func(ScopeID, error) ScopeID {
	return func(id ScopeID, err error) ScopeID {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
}

// lifecycleFixture is a hierarchy with one subscription to bill, and a
// connector created at midnight on 1 August 2026.
func lifecycleFixture(t *testing.T, autoRenew bool) (*Hierarchy, *Connector, time.Time) {
	t.Helper()
	h := NewHierarchy()
	sub := mustID(t)(SubscriptionID("6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"))
	if err := h.Add(Scope{ID: sub, Name: "Billing"}); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	c := &Connector{ID: mustID(t)(ConnectorID("acme")), RoleARN: "arn:aws:iam::012345678901:role/reckon", ExternalID: "secret-external-id",
		ReportName: "reckon", AutoRenew: autoRenew, Created: created, State: StateTrial}
	if autoRenew {
		c.BillingSubscription = sub
	}
	return h, c, created
}

func TestConnectorLifecycle(t *testing.T) {
	day := func(created time.Time, n int) time.Time { return created.AddDate(0, 0, n) }

	t.Run("on day 89 the trial is active, with days left", func(t *testing.T) {
		_, c, created := lifecycleFixture(t, false)
		c.Advance(day(created, 89))
		if c.State != StateTrial || !c.Collects() || c.TrialDaysLeft(day(created, 89)) != 1 {
			t.Fatalf("state %s, collects %v, days left %d", c.State, c.Collects(), c.TrialDaysLeft(day(created, 89)))
		}
	})
	t.Run("on day 91 without auto-renew it is disabled and collects no more", func(t *testing.T) {
		_, c, created := lifecycleFixture(t, false)
		if !c.Advance(day(created, 91)) || c.State != StateDisabled || c.Collects() || !c.DisabledAt.Equal(c.TrialEnds()) {
			t.Fatalf("state %s, collects %v, disabled at %s", c.State, c.Collects(), c.DisabledAt)
		}
	})
	t.Run("with auto-renew the trial ends active", func(t *testing.T) {
		_, c, created := lifecycleFixture(t, true)
		c.Advance(day(created, 91))
		if c.State != StateActive || !c.Collects() {
			t.Fatalf("state %s", c.State)
		}
	})
	t.Run("three months disabled, it is deleted", func(t *testing.T) {
		_, c, created := lifecycleFixture(t, false)
		c.Advance(day(created, 91))
		c.Advance(c.DisabledAt.AddDate(0, 3, -1))
		if c.State != StateDisabled {
			t.Fatalf("a day early: %s", c.State)
		}
		if !c.Advance(c.DisabledAt.AddDate(0, 3, 0)) || c.State != StateDeleted {
			t.Fatalf("after three months: %s", c.State)
		}
	})
	t.Run("a deleted connector cannot be reactivated", func(t *testing.T) {
		h, c, created := lifecycleFixture(t, false)
		c.Advance(day(created, 91))
		c.Advance(day(created, 200))
		sub := mustID(t)(SubscriptionID("6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"))
		err := c.Renew(context.Background(), sub, h.Rows())
		if ErrorCode(err) != EConflict || !strings.Contains(err.Error(), "create a new connector for account 012345678901") {
			t.Fatalf("renewing a deleted connector: %v", err)
		}
	})
	t.Run("a disabled connector renewed with a billing subscription is active again", func(t *testing.T) {
		h, c, created := lifecycleFixture(t, false)
		c.Advance(day(created, 91))
		if err := c.Renew(context.Background(), mustID(t)(SubscriptionID("6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f")), h.Rows()); err != nil || c.State != StateActive {
			t.Fatalf("renew: %v, state %s", err, c.State)
		}
	})
}

func TestConnectorValidation(t *testing.T) {
	h, c, _ := lifecycleFixture(t, false)
	c.AutoRenew = true
	if err := c.Validate(context.Background(), h.Rows()); ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "billing subscription") {
		t.Errorf("auto-renew without a billing subscription: %v", err)
	}
	c.BillingSubscription = mustID(t)(SubscriptionID("00000000-0000-4000-8000-000000000000"))
	if err := c.Validate(context.Background(), h.Rows()); ErrorCode(err) != EInvalid {
		t.Errorf("auto-renew billed to a subscription that does not exist: %v", err)
	}
	_, good, _ := lifecycleFixture(t, true)
	if err := good.Validate(context.Background(), h.Rows()); err != nil {
		t.Errorf("a valid connector: %v", err)
	}
}

func TestConnectorEdits(t *testing.T) {
	_, c, _ := lifecycleFixture(t, false)
	other := *c
	other.RoleARN = "arn:aws:iam::999988887777:role/reckon"
	err := c.CheckEdit(&other)
	if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "create a new connector") {
		t.Errorf("changing the account: %v", err)
	}
	renamed := *c
	renamed.RoleARN = "arn:aws:iam::012345678901:role/path/reckon-v2"
	if err := c.CheckEdit(&renamed); err != nil {
		t.Errorf("changing the role name in the same account: %v", err)
	}
	if c.BillingAccount() != "aws/billing/012345678901" {
		t.Errorf("billing account scope = %s", c.BillingAccount())
	}
}

func TestTheExternalIDIsNeverSerialised(t *testing.T) {
	_, c, _ := lifecycleFixture(t, false)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), c.ExternalID) {
		t.Fatalf("the connector's JSON carries the external ID: %s", b)
	}
}

func TestTheMonthlyChargeIsOnePercent(t *testing.T) {
	_, c, _ := lifecycleFixture(t, true)
	row, err := c.MonthlyCharge(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), decimal.MustParse("12345.6789"), "USD")
	if err != nil {
		t.Fatal(err)
	}
	if row.BilledCost.String() != "123.456789" || row.ChargeCategory != ChargePurchase || row.SubAccountID != c.BillingSubscription.Key() ||
		row.ChargePeriodStart.Month() != time.September {
		t.Fatalf("charge = %+v", row)
	}
}
