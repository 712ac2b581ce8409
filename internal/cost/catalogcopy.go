package cost

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// CatalogContents is everything a catalog holds, read through its
// listings: what moving an installation from one catalog backend to
// another copies (reckon migrate), and compares afterwards. Every record
// keeps its identity: IDs, names and times as stored, tokens hashed, the
// connectors' external IDs with them (never print a CatalogContents).
type CatalogContents struct {
	Scopes        []Scope // by ID
	Assignments   []Assignment
	Users         []User
	Tokens        []Token
	Connectors    []Connector // deleted ones included
	Views         []SavedView // by scope, then as SavedViews sorts them
	Budgets       []Budget
	Alerts        []Alert
	Subscriptions []AnomalySubscription
	Rates         Rates
	AuditLog      []AuditEntry // oldest first, as appended
}

// ReadCatalog reads everything r holds. Use it inside one View, so that
// the contents are one snapshot.
func ReadCatalog(ctx context.Context, r CatalogReader) (*CatalogContents, error) {
	c := &CatalogContents{}
	var err error
	read := func(what string, fn func() error) {
		if err == nil {
			if e := fn(); e != nil {
				err = fmt.Errorf("read the catalog's %s: %w", what, e)
			}
		}
	}
	read("scopes", func() (err error) { c.Scopes, err = r.Scopes(ctx); return })
	read("role assignments", func() (err error) { c.Assignments, err = r.Assignments(ctx, AssignmentFilter{}); return })
	read("users", func() (err error) { c.Users, err = r.Users(ctx); return })
	read("tokens", func() (err error) { c.Tokens, err = r.Tokens(ctx); return })
	read("connectors", func() (err error) { c.Connectors, err = r.Connectors(ctx); return })
	read("saved views", func() error {
		// Views live on scopes, and deleting a scope deletes its views.
		for _, s := range c.Scopes {
			vs, err := r.SavedViews(ctx, s.ID)
			if err != nil {
				return err
			}
			c.Views = append(c.Views, vs...)
		}
		return nil
	})
	read("budgets", func() (err error) { c.Budgets, err = r.Budgets(ctx, ""); return })
	read("alerts", func() (err error) { c.Alerts, err = r.Alerts(ctx, AlertFilter{}); return })
	read("anomaly subscriptions", func() (err error) { c.Subscriptions, err = r.AnomalySubscriptions(ctx, ""); return })
	read("exchange rates", func() (err error) { c.Rates, err = r.ExchangeRates(ctx); return })
	read("audit log", func() (err error) { c.AuditLog, err = r.AuditLog(ctx); return })
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Write puts every record into tx as it is, the management groups before
// what they hold, and appends the audit log in its order. Into a new
// catalog (IsNew), the result reads the same as the catalog c was read
// from (Diff finds nothing).
func (c *CatalogContents) Write(ctx context.Context, tx CatalogTx) error {
	for _, s := range c.scopesTopDown() {
		if err := tx.PutScope(ctx, s); err != nil {
			return fmt.Errorf("write scope %s: %w", s.ID, err)
		}
	}
	for _, u := range c.Users {
		if err := tx.PutUser(ctx, u); err != nil {
			return fmt.Errorf("write user %s: %w", u.Name, err)
		}
	}
	for _, t := range c.Tokens {
		if err := tx.PutToken(ctx, t); err != nil {
			return fmt.Errorf("write token %s: %w", t.ID, err)
		}
	}
	for _, a := range c.Assignments {
		if err := tx.AddAssignment(ctx, a); err != nil {
			return fmt.Errorf("write the assignment of %s on %s: %w", a.User, a.Scope, err)
		}
	}
	for _, conn := range c.Connectors {
		if err := tx.PutConnector(ctx, conn); err != nil {
			return fmt.Errorf("write connector %s: %w", conn.ID, err)
		}
	}
	for _, v := range c.Views {
		if err := tx.PutSavedView(ctx, v); err != nil {
			return fmt.Errorf("write saved view %s: %w", v.ID, err)
		}
	}
	for _, b := range c.Budgets {
		if err := tx.PutBudget(ctx, b); err != nil {
			return fmt.Errorf("write budget %s: %w", b.ID, err)
		}
	}
	for _, a := range c.Alerts {
		if err := tx.PutAlert(ctx, a); err != nil {
			return fmt.Errorf("write alert %s: %w", a.ID, err)
		}
	}
	for _, s := range c.Subscriptions {
		if err := tx.PutAnomalySubscription(ctx, s); err != nil {
			return fmt.Errorf("write anomaly subscription %s: %w", s.ID, err)
		}
	}
	for _, r := range c.Rates {
		if err := tx.PutExchangeRate(ctx, r); err != nil {
			return fmt.Errorf("write the exchange rate from %s to %s: %w", r.From, r.To, err)
		}
	}
	for _, e := range c.AuditLog {
		if err := tx.Audit(ctx, e); err != nil {
			return fmt.Errorf("write the audit log: %w", err)
		}
	}
	return nil
}

// scopesTopDown is the scopes with every management group before the
// scopes in it: a scope's place in the tree is found from its group's.
func (c *CatalogContents) scopesTopDown() []Scope {
	group := make(map[ScopeID]ScopeID, len(c.Scopes))
	for _, s := range c.Scopes {
		group[s.ID] = s.Group
	}
	depth := func(id ScopeID) int {
		n := 0
		for g := group[id]; g != "" && n <= len(group); g = group[g] {
			n++
		}
		return n
	}
	out := slices.Clone(c.Scopes)
	slices.SortStableFunc(out, func(a, b Scope) int { return depth(a.ID) - depth(b.ID) })
	return out
}

// IsNew reports whether the catalog holds only what a new one does: the
// root group, named RootGroupName, and nothing else.
func (c *CatalogContents) IsNew() bool {
	return len(c.Scopes) == 1 && c.Scopes[0] == Scope{ID: RootGroup, Name: RootGroupName} &&
		len(c.Assignments)+len(c.Users)+len(c.Tokens)+len(c.Connectors)+len(c.Views)+len(c.Budgets)+
			len(c.Alerts)+len(c.Subscriptions)+len(c.Rates)+len(c.AuditLog) == 0
}

// Counts says how many records of each kind c holds, for reports: kinds
// and numbers only, never a record.
func (c *CatalogContents) Counts() string {
	parts := []string{
		fmt.Sprintf("%d scopes", len(c.Scopes)), fmt.Sprintf("%d role assignments", len(c.Assignments)),
		fmt.Sprintf("%d users", len(c.Users)), fmt.Sprintf("%d tokens", len(c.Tokens)),
		fmt.Sprintf("%d connectors and sources", len(c.Connectors)), fmt.Sprintf("%d saved views", len(c.Views)),
		fmt.Sprintf("%d budgets", len(c.Budgets)), fmt.Sprintf("%d alerts", len(c.Alerts)),
		fmt.Sprintf("%d anomaly subscriptions", len(c.Subscriptions)), fmt.Sprintf("%d exchange rates", len(c.Rates)),
		fmt.Sprintf("%d audit entries", len(c.AuditLog)),
	}
	return strings.Join(parts, ", ")
}

// Diff names the kinds of record (scopes, tokens…) that c and o do not
// hold alike, with the first ID that differs where there is one; nothing
// when they are the same. It never shows a record's fields, so its
// answer carries no secret.
func (c *CatalogContents) Diff(o *CatalogContents) []string {
	var out []string
	add := func(kind string, a, b any, id func(i int) string) {
		va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
		if va.Len() == 0 && vb.Len() == 0 {
			return
		}
		for i := range max(va.Len(), vb.Len()) {
			if i >= va.Len() || i >= vb.Len() {
				out = append(out, fmt.Sprintf("%s: %d, against %d in the other", kind, va.Len(), vb.Len()))
				return
			}
			if !reflect.DeepEqual(va.Index(i).Interface(), vb.Index(i).Interface()) {
				out = append(out, fmt.Sprintf("%s: %s differs (number %d of %d)", kind, id(i), i+1, va.Len()))
				return
			}
		}
	}
	add("scopes", c.Scopes, o.Scopes, func(i int) string { return string(c.Scopes[i].ID) })
	add("role assignments", c.Assignments, o.Assignments, func(i int) string {
		return c.Assignments[i].User + " on " + string(c.Assignments[i].Scope)
	})
	add("users", c.Users, o.Users, func(i int) string { return c.Users[i].Name })
	add("tokens", c.Tokens, o.Tokens, func(i int) string { return "token " + c.Tokens[i].ID })
	add("connectors", c.Connectors, o.Connectors, func(i int) string { return string(c.Connectors[i].ID) })
	add("saved views", c.Views, o.Views, func(i int) string { return c.Views[i].ID })
	add("budgets", c.Budgets, o.Budgets, func(i int) string { return c.Budgets[i].ID })
	add("alerts", c.Alerts, o.Alerts, func(i int) string { return c.Alerts[i].ID })
	add("anomaly subscriptions", c.Subscriptions, o.Subscriptions, func(i int) string { return c.Subscriptions[i].ID })
	add("exchange rates", c.Rates, o.Rates, func(i int) string { return c.Rates[i].From + " to " + c.Rates[i].To })
	add("audit log", c.AuditLog, o.AuditLog, func(i int) string { return fmt.Sprintf("the entry of %s", c.AuditLog[i].Time) })
	return out
}
