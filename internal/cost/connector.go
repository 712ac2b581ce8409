package cost

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// ConnectorState is where a connector is in its lifecycle.
type ConnectorState string

// The lifecycle of a connector, as the original's: a trial, then either
// renewed or disabled; a disabled connector is deleted three months later
// and cannot come back.
const (
	StateTrial    ConnectorState = "Trial"
	StateActive   ConnectorState = "Active"   // renewed after the trial
	StateDisabled ConnectorState = "Disabled" // no collection; the data stays readable
	StateDeleted  ConnectorState = "Deleted"  // gone with its scopes' data
)

// TrialDays is the length of a connector's free trial.
const TrialDays = 90

// DisabledMonths is how long a disabled connector waits before deletion.
const DisabledMonths = 3

// Connector is an AWS connector, or a source of another kind (Azure
// exports, FOCUS files: see ConnectorKind). The external ID is write-only:
// it is kept for assuming the role and never serialised. A source holds no
// secret at all: only the name of the environment variable that holds its
// credential where the server runs.
type Connector struct {
	ID          ScopeID       `json:"id"`
	Kind        ConnectorKind `json:"kind,omitempty"` // empty reads as aws
	DisplayName string        `json:"displayName"`
	RoleARN     string        `json:"roleArn,omitempty"`
	ExternalID  string        `json:"-"`
	ReportName  string        `json:"reportName,omitempty"`
	// A source's storage: the account's blob endpoint, the container and
	// the folder in it, and where its credential is.
	StorageURL     string `json:"storageUrl,omitempty"`
	Container      string `json:"container,omitempty"`
	Prefix         string `json:"prefix,omitempty"`
	CredentialEnv  string `json:"credentialEnv,omitempty"`  // the variable's name, never its value
	CredentialType string `json:"credentialType,omitempty"` // sas or key
	AccountName    string `json:"accountName,omitempty"`    // for a key, when the URL does not name the account
	// Bucket is a FOCUS source's S3 bucket, read with the role ARN and
	// external ID as an AWS connector reads its CUR; then it has no
	// storage URL, container or credential.
	Bucket              string         `json:"bucket,omitempty"`
	DefaultGroup        ScopeID        `json:"defaultManagementGroup"`
	AutoRenew           bool           `json:"autoRenew"`
	BillingSubscription ScopeID        `json:"billingSubscription,omitempty"`
	Created             time.Time      `json:"created"`
	Creator             string         `json:"creator"` // Owner of what its collections discover
	State               ConnectorState `json:"state"`
	DisabledAt          time.Time      `json:"disabledAt,omitzero"`
	// Collection is what its collections found, periodic and on demand,
	// kept with the connector so that every replica shows it; nil before
	// the first.
	Collection *CollectionInfo `json:"collectionInfo,omitempty"`
}

var roleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$`)

// ParseRoleARN returns the account and role name of a role ARN, or an
// Invalid error that shows the expected form.
func ParseRoleARN(arn string) (account, name string, err error) {
	m := roleARN.FindStringSubmatch(arn)
	if m == nil {
		return "", "", Errorf(EInvalid, "role ARN %s is not arn:aws:iam::<12-digit account>:role/<name>", Quote(arn))
	}
	return m[1], m[2], nil
}

// Account is the AWS account the connector's role lives in: its identity;
// "" for a source.
func (c *Connector) Account() string {
	if c.IsSource() {
		return ""
	}
	account, _, _ := ParseRoleARN(c.RoleARN)
	return account
}

// BillingAccount is the consolidated account's scope: the original's "Go
// to billing account"; "" for a source, whose billing accounts are found in
// its data.
func (c *Connector) BillingAccount() ScopeID {
	if c.IsSource() {
		return ""
	}
	id, _ := BillingAccountID(c.Account()) // the ARN's account is 12 digits
	return id
}

// Validate checks a connector against the catalog's scopes: a display
// name and a report name that pass CheckName, a valid role ARN, an
// existing default group, and, with auto-renew, an existing Azure
// subscription to bill. A source's storage is checked by kind instead of
// the role and report.
func (c *Connector) Validate(ctx context.Context, r ScopeReader) error {
	if err := CheckName("the display name", c.DisplayName); err != nil {
		return err
	}
	if c.IsSource() {
		if err := c.validateSource(); err != nil {
			return err
		}
		return c.validateGroup(ctx, r)
	}
	if _, _, err := ParseRoleARN(c.RoleARN); err != nil {
		return err
	}
	if c.ReportName == "" {
		return Errorf(EInvalid, "the report name is empty: name the Cost and Usage Report the connector reads")
	}
	if err := CheckName("the report name", c.ReportName); err != nil {
		return err
	}
	if err := c.validateGroup(ctx, r); err != nil {
		return err
	}
	if c.AutoRenew {
		if c.BillingSubscription == "" {
			return Errorf(EInvalid, "auto-renew needs a billing subscription: name an Azure subscription scope to bill the connector to")
		}
		if s, ok, err := r.Scope(ctx, c.BillingSubscription); err != nil || !ok || s.ID.Kind() != KindSubscription {
			if err != nil {
				return err
			}
			return Errorf(EInvalid, "billing subscription %s is not an existing Azure subscription scope", Quote(string(c.BillingSubscription)))
		}
	}
	return nil
}

// validateGroup checks that the default group, when given, exists.
func (c *Connector) validateGroup(ctx context.Context, r ScopeReader) error {
	if c.DefaultGroup != "" {
		if s, ok, err := r.Scope(ctx, c.DefaultGroup); err != nil || !ok || s.ID.Kind() != KindManagementGroup {
			if err != nil {
				return err
			}
			return Errorf(EInvalid, "default management group %s does not exist", Quote(string(c.DefaultGroup)))
		}
	}
	return nil
}

// CheckEdit refuses an edit that changes the AWS account in the role ARN:
// the account is the connector's identity. A source's identity is its
// kind, storage account and container.
func (c *Connector) CheckEdit(edited *Connector) error {
	if c.IsSource() || edited.IsSource() {
		return c.checkSourceEdit(edited)
	}
	if edited.Account() != c.Account() {
		return Errorf(EInvalid, "the role ARN's account cannot change (%s to %s): create a new connector for account %s",
			c.Account(), edited.Account(), edited.Account())
	}
	return nil
}

// TrialEnds is when the trial ends.
func (c *Connector) TrialEnds() time.Time { return c.Created.AddDate(0, 0, TrialDays) }

// TrialDaysLeft is the whole days of trial left at now; 0 once it ended.
func (c *Connector) TrialDaysLeft(now time.Time) int {
	if c.State != StateTrial || !now.Before(c.TrialEnds()) {
		return 0
	}
	return int((c.TrialEnds().Sub(now) + 24*time.Hour - 1) / (24 * time.Hour))
}

// Collects reports whether the connector collects: in trial or renewed.
func (c *Connector) Collects() bool { return c.State == StateTrial || c.State == StateActive }

// Advance moves the lifecycle on to now, as the daily job does: a trial
// ends renewed (auto-renew) or disabled; three months disabled, the
// connector is deleted. It reports whether the state changed.
func (c *Connector) Advance(now time.Time) bool {
	before := c.State
	if c.State == StateTrial && !now.Before(c.TrialEnds()) {
		if c.AutoRenew {
			c.State = StateActive
		} else {
			c.State, c.DisabledAt = StateDisabled, c.TrialEnds()
		}
	}
	if c.State == StateDisabled && !now.Before(c.DisabledAt.AddDate(0, DisabledMonths, 0)) {
		c.State = StateDeleted
	}
	return c.State != before
}

// Renew turns on auto-renew; a disabled connector is active again. A deleted
// one cannot come back.
func (c *Connector) Renew(ctx context.Context, billingSubscription ScopeID, r ScopeReader) error {
	if c.IsSource() {
		return Errorf(EInvalid, "%s is a %s source: it has no trial and no charge, so nothing to renew", c.ID, c.Kind)
	}
	if c.State == StateDeleted {
		return Errorf(EConflict, "connector %s was deleted and cannot be reactivated: create a new connector for account %s", c.ID, c.Account())
	}
	edited := *c
	edited.AutoRenew, edited.BillingSubscription = true, billingSubscription
	if err := edited.Validate(ctx, r); err != nil {
		return err
	}
	c.AutoRenew, c.BillingSubscription = true, billingSubscription
	if c.State == StateDisabled {
		c.State, c.DisabledAt = StateActive, time.Time{}
	}
	return nil
}

// Check is one step of a connector's verification, as the original's
// Verify showed it: a status (ok, warning or error), the error code when it
// failed, and a message that says what to fix.
type Check struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// CollectResult is what one collection of a connector did and found: a
// line per billing period, the warnings (such as no access to AWS
// Organizations' names), and the scopes it discovered, in the order added.
type CollectResult struct {
	Summary    []string  `json:"summary"`
	Warnings   []string  `json:"warnings,omitempty"`
	Discovered []ScopeID `json:"discovered"`
}

// ConnectorFeeRate is the original's price: 1% of the AWS spend managed.
var ConnectorFeeRate = decimal.MustParse("0.01")

// MonthlyCharge is the connector's charge for the month before month (the
// first of a month, UTC), as a cost row on its billing subscription:
// 1% of the AWS cost it managed, kept as showback.
func (c *Connector) MonthlyCharge(month time.Time, managed decimal.Decimal, currency string) (*Row, error) {
	if c.BillingSubscription == "" {
		return nil, Errorf(EInvalid, "connector %s has no billing subscription to post its charge to", c.ID)
	}
	prev := month.AddDate(0, -1, 0)
	fee := managed.Mul(ConnectorFeeRate)
	return &Row{
		ProviderName: "Reckon", PublisherName: "Reckon", InvoiceIssuerName: "Reckon",
		BillingAccountID: c.BillingSubscription.Key(), SubAccountID: c.BillingSubscription.Key(),
		BillingPeriodStart: prev, BillingPeriodEnd: month, ChargePeriodStart: prev, ChargePeriodEnd: month,
		ChargeCategory: ChargePurchase, ChargeFrequency: "Recurring",
		ChargeDescription: fmt.Sprintf("1%% of %s %s of AWS cost managed by connector %s in %s", managed.Fixed(2), currency, c.ID.Key(), prev.Format("2006-01")),
		BilledCost:        fee, EffectiveCost: fee, ListCost: fee, UnblendedCost: fee, BlendedCost: fee,
		BillingCurrency: currency, ServiceName: "Reckon Connector for AWS", ServiceCategory: "Management and Governance",
		PricingUnit: "Percent of managed AWS cost", ServiceCode: "ReckonConnector", LineItemType: "Fee",
	}, nil
}
