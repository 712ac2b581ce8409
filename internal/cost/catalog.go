package cost

import "context"

// Catalog is where the control plane keeps its state: scopes, role
// assignments, users, tokens, connectors, saved views and the audit log.
// It is read and changed a row at a time, inside transactions.
//
// An implementation (DuckDB today, PostgreSQL later) must give every View a
// consistent snapshot and run Updates as if one at a time (serializable):
// an access check made in an Update holds for the change made in the same
// Update, because no other change commits in between. A function that
// returns an error rolls its Update back whole.
type Catalog interface {
	// View runs fn over a read-only snapshot. An implementation may read
	// what grows (the audit log, alerts) and what only the evaluator and
	// a few pages read (budgets, anomaly subscriptions, exchange rates)
	// as of each call rather than of the snapshot; the rest (scopes,
	// access, users, tokens, connectors, views) is the snapshot's.
	View(ctx context.Context, fn func(CatalogReader) error) error
	// Update runs fn in one transaction and commits what it wrote, unless
	// fn returns an error.
	Update(ctx context.Context, fn func(CatalogTx) error) error
}

// ScopeReader reads scopes one at a time: the part of the catalog the tree
// rules need. Lists are sorted by scope ID.
type ScopeReader interface {
	// Scope returns the scope with the ID; false when there is none.
	Scope(ctx context.Context, id ScopeID) (Scope, bool, error)
	// GroupPath returns id followed by the management groups above it, the
	// nearest first and the root last; just id for a scope outside the
	// tree, and nothing for an unknown ID.
	GroupPath(ctx context.Context, id ScopeID) ([]ScopeID, error)
	// Children returns the scopes directly in a management group.
	Children(ctx context.Context, group ScopeID) ([]Scope, error)
	// Descendants returns every scope below a management group, at any
	// depth.
	Descendants(ctx context.Context, group ScopeID) ([]Scope, error)
}

// ScopeWriter changes scopes one at a time.
type ScopeWriter interface {
	ScopeReader
	// PutScope inserts the scope, or replaces the one with its ID. Moving a
	// group moves everything below it.
	PutScope(ctx context.Context, s Scope) error
	// DeleteScope deletes the scope, the role assignments made on it and
	// the views saved on it.
	DeleteScope(ctx context.Context, id ScopeID) error
}

// AssignmentFilter selects role assignments; an empty field matches any.
type AssignmentFilter struct {
	User  string
	Scope ScopeID
}

// CatalogReader reads what a request needs and nothing more: one token,
// one scope and its group path, one user's assignments. Only listings read
// whole tables (Scopes, Users, Tokens, Connectors, AuditLog).
type CatalogReader interface {
	ScopeReader
	// Scopes returns every scope: for listings only.
	Scopes(ctx context.Context) ([]Scope, error)
	// ConnectorScopes returns the billing and linked accounts a connector
	// discovered.
	ConnectorScopes(ctx context.Context, connector ScopeID) ([]Scope, error)
	// Assignments returns the role assignments the filter selects, sorted
	// by scope, user and role.
	Assignments(ctx context.Context, f AssignmentFilter) ([]Assignment, error)
	// Token returns the stored token with the public ID.
	Token(ctx context.Context, id string) (Token, bool, error)
	// Tokens returns every stored token, by ID: as stored, hashed (no
	// plaintext is ever stored), for copying a catalog whole.
	Tokens(ctx context.Context) ([]Token, error)
	// User returns the user with the name.
	User(ctx context.Context, name string) (User, bool, error)
	// Users returns every user, by name.
	Users(ctx context.Context) ([]User, error)
	// Connector returns a connector with its external ID, which callers
	// use to assume the role and never show.
	Connector(ctx context.Context, id ScopeID) (Connector, bool, error)
	// Connectors returns every connector, deleted ones included, by ID.
	Connectors(ctx context.Context) ([]Connector, error)
	// AuditLog returns the audit entries, oldest first.
	AuditLog(ctx context.Context) ([]AuditEntry, error)
	// SavedView returns the saved view with the ID.
	SavedView(ctx context.Context, id string) (SavedView, bool, error)
	// SavedViews returns the views saved on the scope, by name regardless
	// of case, then ID.
	SavedViews(ctx context.Context, scope ScopeID) ([]SavedView, error)
	// Budget returns the budget with the ID.
	Budget(ctx context.Context, id string) (Budget, bool, error)
	// Budgets returns the budgets on the scope, or every budget for "",
	// by scope, then name regardless of case.
	Budgets(ctx context.Context, scope ScopeID) ([]Budget, error)
	// Alert returns the alert with the ID.
	Alert(ctx context.Context, id string) (Alert, bool, error)
	// Alerts returns the alerts the filter selects, the latest fired first.
	Alerts(ctx context.Context, f AlertFilter) ([]Alert, error)
	// AnomalySubscriptions returns the anomaly subscriptions on the scope,
	// or every one for "", by scope, then name regardless of case.
	AnomalySubscriptions(ctx context.Context, scope ScopeID) ([]AnomalySubscription, error)
	// ExchangeRates returns the exchange rates, by From and To.
	ExchangeRates(ctx context.Context) (Rates, error)
}

// CatalogTx is a catalog transaction: it reads what was committed before it
// began and what it wrote itself.
type CatalogTx interface {
	CatalogReader
	// PutScope inserts the scope, or replaces the one with its ID. Moving a
	// group moves everything below it. The tree rules are the caller's:
	// use AddScope, MoveGroup, MoveScopes, DeleteGroup and RemoveScope.
	PutScope(ctx context.Context, s Scope) error
	// DeleteScope deletes the scope, the role assignments made on it and
	// the views, budgets, anomaly subscriptions and alerts on it.
	DeleteScope(ctx context.Context, id ScopeID) error
	// AddAssignment adds a role assignment; one that exists stays as is.
	AddAssignment(ctx context.Context, a Assignment) error
	// RemoveAssignment removes a role assignment and reports whether there
	// was one.
	RemoveAssignment(ctx context.Context, a Assignment) (bool, error)
	// PutUser inserts a user or replaces the one with the name.
	PutUser(ctx context.Context, u User) error
	// PutToken inserts a token or replaces the one with its ID.
	PutToken(ctx context.Context, t Token) error
	// PutConnector inserts a connector or replaces the one with its ID. The
	// external ID is stored apart from the fields that are shown.
	PutConnector(ctx context.Context, c Connector) error
	// DeleteConnector deletes a connector's record (its scope goes with
	// DeleteScope).
	DeleteConnector(ctx context.Context, id ScopeID) error
	// Audit appends an entry to the audit log.
	Audit(ctx context.Context, e AuditEntry) error
	// PutSavedView inserts a saved view or replaces the one with its ID.
	// The rules are the caller's: use SaveView.
	PutSavedView(ctx context.Context, v SavedView) error
	// DeleteSavedView deletes a saved view and reports whether there was
	// one.
	DeleteSavedView(ctx context.Context, id string) (bool, error)
	// PutBudget inserts a budget or replaces the one with its ID. The
	// rules are the caller's: use SaveBudget.
	PutBudget(ctx context.Context, b Budget) error
	// DeleteBudget deletes a budget and reports whether there was one; its
	// alerts stay, as history.
	DeleteBudget(ctx context.Context, id string) (bool, error)
	// PutAlert inserts an alert or replaces the one with its ID.
	PutAlert(ctx context.Context, a Alert) error
	// PutAnomalySubscription inserts a subscription or replaces the one
	// with its ID.
	PutAnomalySubscription(ctx context.Context, s AnomalySubscription) error
	// DeleteAnomalySubscription deletes a subscription and reports whether
	// there was one.
	DeleteAnomalySubscription(ctx context.Context, id string) (bool, error)
	// PutExchangeRate sets the rate from r.From to r.To.
	PutExchangeRate(ctx context.Context, r ExchangeRate) error
	// DeleteExchangeRate deletes the rate from one currency to another and
	// reports whether there was one.
	DeleteExchangeRate(ctx context.Context, from, to string) (bool, error)
}

// A CatalogTx writes scopes like any ScopeWriter.
var _ ScopeWriter = CatalogTx(nil)
