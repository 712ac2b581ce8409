package cost

import (
	"cmp"
	"context"
	"time"

	"github.com/reckon-finops/reckon/internal/decimal"
)

// RowSource yields cost rows until io.EOF. A row need only stay valid until
// the next call.
type RowSource interface {
	Next() (*Row, error)
}

// Load describes one load: the rows of some billing periods of one source,
// at one report version. Loading replaces each billing period the rows or
// Periods cover, for that source only.
//
// A billing period of a billing account has one current version: a load
// whose BillingAccount is set refuses a period another source of the same
// account holds, unless Replace is set; and a load with no rows for a period
// that holds cost is refused unless AllowEmpty is set.
type Load struct {
	Source  string      // the report the rows come from, e.g. "aws-cur/123456789012/hourly"
	Version string      // the report version, e.g. the manifest's assemblyId
	Origin  string      // what was read, for display
	Periods []time.Time // billing periods replaced even if the load has no rows for them
	// BillingAccount is the account every row is billed to (the AWS payer);
	// rows billed to another are refused. Empty for loads of Reckon's own
	// rows, which only their own source replaces.
	BillingAccount string
	// Replace lets the load replace another source's version of the same
	// billing account and period.
	Replace bool
	// AllowEmpty lets a load with no rows for a period empty it.
	AllowEmpty bool
	// Register, when set, is called inside the load's transaction, after the
	// rows are in, with the catalog in that same transaction and the
	// accounts the rows hold: it makes them scopes, so that they become
	// visible in the same commit as the rows. An error aborts the load.
	Register RegisterFunc
}

// ErrCatalogChanged refuses a load whose registration would read a catalog
// that changed while its rows loaded: nothing of it is committed, and
// loading again finds the current catalog.
var ErrCatalogChanged = Errorf(EConflict, "the catalog changed while the rows loaded (a group, an assignment or a connector), "+
	"so they were not committed, to keep the new accounts' scopes consistent with it: load again")

// RegisterFunc registers what a load found, in the load's transaction.
type RegisterFunc func(ctx context.Context, tx CatalogTx, found []LoadedAccount) error

// Registrar registers what loads found following Template: the connector
// (or none), the owner of new accounts, their group. The accounts' names are
// the rows' names, or Known's where Known has the account (AWS
// Organizations' names and status, by account ID). Use its Register method
// as a Load's Register hook; Added collects the scopes it created.
type Registrar struct {
	Template Registration
	Known    map[string]Account
	Added    []ScopeID
	// Skipped are the account IDs found that cannot be scopes (see
	// Registrations): their rows are loaded, but no scope shows them.
	Skipped []string
}

// Register is a RegisterFunc.
func (g *Registrar) Register(ctx context.Context, tx CatalogTx, found []LoadedAccount) error {
	regs, skipped := Registrations(found, g.Template)
	g.Skipped = append(g.Skipped, skipped...)
	for _, r := range regs {
		r.BillingAccount = withKnown(r.BillingAccount, g.Known)
		for i, a := range r.Accounts {
			r.Accounts[i] = withKnown(a, g.Known)
		}
		added, err := RegisterAccounts(ctx, tx, r)
		if err != nil {
			return err
		}
		// A load that rolls back after this is reported as failed, so
		// its additions are never shown.
		g.Added = append(g.Added, added...)
	}
	return nil
}

func withKnown(a Account, known map[string]Account) Account {
	if k, ok := known[a.ID.Key()]; ok {
		a.Name, a.Status = cmp.Or(k.Name, a.Name), cmp.Or(k.Status, a.Status)
	}
	return a
}

// LoadedAccount is a billing account and usage account pair found in a
// load's rows, with the names the rows give them.
type LoadedAccount struct {
	Provider           string // FOCUS ProviderName: AWS, Microsoft…
	BillingAccountID   string
	BillingAccountName string
	SubAccountID       string // empty for rows without one
	SubAccountName     string
}

// PeriodResult sums what a load put into one billing period.
type PeriodResult struct {
	Start, End time.Time
	Rows       int64
	BilledCost decimal.Decimal
	Replaced   []string // other sources whose version of the period this load replaced
}

// LoadResult is the outcome of a load.
type LoadResult struct {
	LoadID  int64
	Rows    int64
	Periods []PeriodResult
}
