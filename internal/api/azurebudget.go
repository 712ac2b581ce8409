package api

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// The Azure Budgets API at Azure Resource Manager's paths: a budget is
// named under its scope, …/providers/Microsoft.Consumption/budgets/{name}
// (and Microsoft.CostManagement/budgets, the newer provider), with Azure's
// body. It is the same budget as /api/v1/budgets, under the same rules.

// budgetProviders are the resource providers whose budgets the door serves.
var budgetProviders = []string{"/providers/Microsoft.Consumption/budgets", "/providers/Microsoft.CostManagement/budgets"}

// azureBudgetRoutes are the door's budget routes at each scope form.
func azureBudgetRoutes() []route {
	var out []route
	seen := map[string]bool{}
	for _, form := range armScopes {
		for _, provider := range budgetProviders {
			path := form.prefix + "{" + form.param + "}" + provider
			if seen[path] {
				continue
			}
			seen[path] = true
			out = append(out,
				route{Method: "GET", Path: path, Summary: "Azure Budgets API: the scope's budgets (Reader on it)",
					Query: []string{"api-version"}, Handler: func(s *Server, c *call) (any, error) { return s.azureListBudgets(c, form) }},
				route{Method: "GET", Path: path + "/{name}", Summary: "Azure Budgets API: one budget with its current and forecast spend (Reader on its scope)",
					Query: []string{"api-version"}, Handler: func(s *Server, c *call) (any, error) { return s.azureGetBudget(c, form) }},
				route{Method: "PUT", Path: path + "/{name}", Summary: "Azure Budgets API: create or replace a budget, with Azure's body (Contributor on its scope)",
					Query: []string{"api-version"}, Request: azureBudget{}, Handler: func(s *Server, c *call) (any, error) { return s.azurePutBudget(c, form) }},
				route{Method: "DELETE", Path: path + "/{name}", Summary: "Azure Budgets API: delete a budget (Contributor on its scope)",
					Query: []string{"api-version"}, Handler: func(s *Server, c *call) (any, error) { return s.azureDeleteBudget(c, form) }},
			)
		}
	}
	return out
}

// azureBudget is Azure's budget resource.
type azureBudget struct {
	ID         string           `json:"id,omitempty"`
	Name       string           `json:"name,omitempty"`
	Type       string           `json:"type,omitempty"`
	ETag       string           `json:"eTag,omitempty"`
	Properties azureBudgetProps `json:"properties"`
}

type azureBudgetProps struct {
	Category      string                       `json:"category"`
	Amount        json.Number                  `json:"amount"`
	TimeGrain     string                       `json:"timeGrain"`
	TimePeriod    azureTimePeriod              `json:"timePeriod"`
	Filter        json.RawMessage              `json:"filter,omitempty"` // an azureFilter, as the Query API takes
	Notifications map[string]azureNotification `json:"notifications,omitempty"`
	CurrentSpend  *azureSpend                  `json:"currentSpend,omitempty"`
	ForecastSpend *azureSpend                  `json:"forecastSpend,omitempty"`
}

type azureTimePeriod struct {
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate,omitempty"`
}

type azureSpend struct {
	Amount json.Number `json:"amount"`
	Unit   string      `json:"unit"`
}

type azureNotification struct {
	Enabled       bool        `json:"enabled"`
	Operator      string      `json:"operator"`
	Threshold     json.Number `json:"threshold"`
	ThresholdType string      `json:"thresholdType,omitempty"`
	Locale        string      `json:"locale,omitempty"`
	ContactEmails []string    `json:"contactEmails,omitempty"`
	ContactRoles  []string    `json:"contactRoles,omitempty"`
	ContactGroups []string    `json:"contactGroups,omitempty"`
	Webhooks      []string    `json:"webhooks,omitempty"` // Reckon's own: Azure uses action groups
}

// azureBudgetScope reads the scope and the api-version of a door request.
func azureBudgetScope(c *call, form armScope) (cost.ScopeID, error) {
	scope, _, err := azureRequest(c, form)
	return scope, err
}

// azureBudgetByName finds the budget of the path's name on the scope.
func azureBudgetByName(ctx context.Context, r cost.CatalogReader, scope cost.ScopeID, name string) (cost.Budget, bool, error) {
	bs, err := r.Budgets(ctx, scope)
	if err != nil {
		return cost.Budget{}, false, err
	}
	i := slices.IndexFunc(bs, func(b cost.Budget) bool { return strings.EqualFold(b.Name, name) })
	if i < 0 {
		return cost.Budget{}, false, nil
	}
	return bs[i], true, nil
}

func (s *Server) azureListBudgets(c *call, form armScope) (any, error) {
	scope, err := azureBudgetScope(c, form)
	if err != nil {
		return nil, err
	}
	res, err := s.listBudgetsOf(c, scope)
	if err != nil {
		return nil, err
	}
	out := make([]azureBudget, len(res))
	for i, a := range res {
		out[i] = toAzureBudget(c, a)
	}
	return map[string]any{"value": out}, nil
}

// listBudgetsOf lists a scope's budgets with their status, for a Reader.
func (s *Server) listBudgetsOf(c *call, scope cost.ScopeID) ([]*budgetAnswer, error) {
	var bs []cost.Budget
	err := s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, scope); err != nil {
			return s.budgetAccess(c, err, scope, cost.ActionRead)
		}
		bs, err = r.Budgets(ctx, scope)
		return err
	})
	out := make([]*budgetAnswer, len(bs))
	for i, b := range bs {
		out[i] = s.budgetAnswer(c, b, false)
	}
	return out, err
}

func (s *Server) azureGetBudget(c *call, form armScope) (any, error) {
	scope, err := azureBudgetScope(c, form)
	if err != nil {
		return nil, err
	}
	name := c.r.PathValue("name")
	var b cost.Budget
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		found, ok, err := azureBudgetByName(ctx, r, scope, name)
		b = found
		if err != nil {
			return err
		}
		return c.mayOwned(ctx, r, s, ok, scope, cost.ActionRead,
			cost.Errorf(cost.ENotFound, "budget %s does not exist on %s, or the scope is not one you can read", cost.Quote(name), scope))
	})
	if err != nil {
		return nil, err
	}
	return toAzureBudget(c, s.budgetAnswer(c, b, false)), nil
}

func (s *Server) azurePutBudget(c *call, form armScope) (any, error) {
	scope, err := azureBudgetScope(c, form)
	if err != nil {
		return nil, err
	}
	var body azureBudget
	if err := decode(c.r, &body); err != nil {
		return nil, err
	}
	name := c.r.PathValue("name")
	if body.Name != "" && !strings.EqualFold(body.Name, name) {
		return nil, cost.Errorf(cost.EInvalid, "the body names budget %s and the path %s: give one name", cost.Quote(body.Name), cost.Quote(name))
	}
	var old cost.Budget
	var exists bool
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) (err error) {
		old, exists, err = azureBudgetByName(ctx, r, scope, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	b := cost.Budget{ID: cost.NewBudgetID(), Created: now, CreatedBy: c.user}
	action := "budget.create"
	if exists {
		b, action = old, "budget.update"
	}
	if err := body.Properties.into(&b); err != nil {
		return nil, err
	}
	b.Scope, b.Name, b.Updated, b.UpdatedBy = scope, name, now, c.user
	ans, err := s.saveBudget(c, b, action, "(Azure Budgets API)")
	if err != nil {
		return nil, err
	}
	return toAzureBudget(c, ans), nil
}

func (s *Server) azureDeleteBudget(c *call, form armScope) (any, error) {
	scope, err := azureBudgetScope(c, form)
	if err != nil {
		return nil, err
	}
	name := c.r.PathValue("name")
	err = s.update(c, func(ctx context.Context, tx cost.CatalogTx) error {
		b, ok, err := azureBudgetByName(ctx, tx, scope, name)
		if err != nil {
			return err
		}
		if err := c.mayOwned(ctx, tx, s, ok, scope, cost.ActionWrite,
			cost.Errorf(cost.ENotFound, "budget %s does not exist on %s, or the scope is not one you can read", cost.Quote(name), scope)); err != nil {
			return err
		}
		if _, err := tx.DeleteBudget(ctx, b.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, c, "budget.delete", scope, b.ID+" "+b.Name+" (Azure Budgets API)")
	})
	return nil, err
}

// into puts Azure's budget properties in b: a PUT replaces the budget
// whole, as Azure's does.
func (p *azureBudgetProps) into(b *cost.Budget) error {
	if p.Category != "" && !strings.EqualFold(p.Category, "Cost") {
		return cost.Errorf(cost.EInvalid, "category %s: a budget's category is Cost", cost.Quote(p.Category))
	}
	amount, err := number("amount", p.Amount)
	if err != nil {
		return err
	}
	b.Amount, b.TimeGrain, b.Filter, b.Measure = amount, cost.TimeGrain(p.TimeGrain), "", ""
	if b.StartDate, err = day("timePeriod.startDate", p.TimePeriod.StartDate); err != nil {
		return err
	}
	if b.EndDate, err = day("timePeriod.endDate", p.TimePeriod.EndDate); err != nil {
		return err
	}
	if !b.EndDate.IsZero() { // Azure's endDate is the last day the budget covers
		b.EndDate = b.EndDate.AddDate(0, 0, 1)
	}
	if len(p.Filter) > 0 && string(p.Filter) != "null" {
		var f azureFilter
		dec := json.NewDecoder(strings.NewReader(string(p.Filter)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return cost.Errorf(cost.EInvalid, "the budget's filter: %v", err)
		}
		expr, err := azureFilterExpr(&f, 0)
		if err != nil {
			return err
		}
		b.Filter = expr.String()
	}
	names := make([]string, 0, len(p.Notifications))
	for name := range p.Notifications {
		names = append(names, name)
	}
	slices.Sort(names)
	if len(names) > cost.MaxNotifications {
		return cost.Errorf(cost.EInvalid, "a budget has at most %d notifications; got %d", cost.MaxNotifications, len(names))
	}
	b.Notifications = make([]cost.Notification, 0, len(names))
	for _, name := range names {
		n := p.Notifications[name]
		if len(n.ContactGroups) > 0 {
			return cost.Errorf(cost.EInvalid, "notification %s: contactGroups name Azure action groups, which Reckon cannot reach; "+
				"give webhooks (http or https URLs, Reckon's own field) or contactEmails instead", cost.Quote(name))
		}
		req := notificationRequest{Name: name, Enabled: &n.Enabled, Operator: n.Operator, Threshold: n.Threshold, ThresholdType: n.ThresholdType,
			ContactEmails: n.ContactEmails, ContactRoles: n.ContactRoles, Webhooks: n.Webhooks}
		ns, err := notifications([]notificationRequest{req})
		if err != nil {
			return err
		}
		b.Notifications = append(b.Notifications, ns...)
	}
	return nil
}

// toAzureBudget writes a budget as Azure's resource, its id the request's
// path.
func toAzureBudget(c *call, a *budgetAnswer) azureBudget {
	path := strings.TrimSuffix(c.r.URL.Path, "/")
	if !strings.HasSuffix(strings.ToLower(path), "/"+strings.ToLower(a.Name)) {
		path += "/" + a.Name
	}
	provider := "Microsoft.Consumption/budgets"
	if strings.Contains(path, "/Microsoft.CostManagement/budgets") {
		provider = "Microsoft.CostManagement/budgets"
	}
	out := azureBudget{ID: path, Name: a.Name, Type: provider, ETag: etag(a.Updated), Properties: azureBudgetProps{
		Category: "Cost", Amount: json.Number(a.Amount.String()), TimeGrain: string(a.TimeGrain),
		TimePeriod: azureTimePeriod{StartDate: a.StartDate.Format(time.RFC3339), EndDate: a.EndDate.AddDate(0, 0, -1).Format(time.RFC3339)},
		Filter:     azureFilterOf(a.Filter), Notifications: map[string]azureNotification{}}}
	for _, n := range a.Notifications {
		roles := make([]string, len(n.ContactRoles))
		for i, r := range n.ContactRoles {
			roles[i] = string(r)
		}
		out.Properties.Notifications[n.Name] = azureNotification{Enabled: n.Enabled, Operator: string(n.Operator),
			Threshold: json.Number(n.Threshold.String()), ThresholdType: string(n.ThresholdType), Locale: "en-us",
			ContactEmails: n.ContactEmails, ContactRoles: roles, ContactGroups: []string{}, Webhooks: n.Webhooks}
	}
	spend := func(v decimal.Decimal) *azureSpend {
		return &azureSpend{Amount: json.Number(v.Fixed(2)), Unit: a.Currency}
	}
	if a.Status != nil {
		out.Properties.CurrentSpend, out.Properties.ForecastSpend = spend(a.Status.Spent), spend(a.Status.Forecast)
	}
	return out
}

// azureFilterOf writes a budget's filter in Azure's shape, which a PUT
// takes back: a client that reads a budget, changes it and puts it back,
// as the SDKs do, would otherwise drop the filter and widen the budget.
func azureFilterOf(filter string) json.RawMessage {
	e, err := cost.ParseFilter(filter)
	if filter == "" || err != nil || e == nil {
		return nil
	}
	out, _ := json.Marshal(azureFilterNode(e))
	return out
}

// azureOperatorNames are the Azure spellings of the operators.
var azureOperatorNames = map[cost.Op]string{cost.OpIn: "In", cost.OpNotIn: "NotIn", cost.OpContains: "Contains",
	cost.OpExists: "Exists", cost.OpNotExists: "NotExists"}

// resourceGroupSegment is a resource group as azureDimensionCondition
// tests it: a segment of ResourceId.
var resourceGroupSegment = regexp.MustCompile(`^/resourceGroups/([^/]+)/$`)

// azureFilterNode is one node of the filter in Azure's shape: a column by
// its Azure name where it has one, and a resource group as
// ResourceGroupName.
func azureFilterNode(e *cost.Expr) map[string]any {
	switch e.Op {
	case cost.OpAnd, cost.OpOr:
		args := make([]map[string]any, len(e.Args))
		for i, a := range e.Args {
			args[i] = azureFilterNode(a)
		}
		return map[string]any{string(e.Op): args}
	case cost.OpNot:
		return map[string]any{"not": azureFilterNode(e.Args[0])}
	}
	cmp := map[string]any{"name": e.Dimension.Column, "operator": azureOperatorNames[e.Op], "values": nonNil(e.Values)}
	if e.Dimension.Column == "" {
		cmp["name"] = e.Dimension.Tag
		return map[string]any{"tags": cmp}
	}
	groups := make([]string, 0, len(e.Values))
	for _, v := range e.Values {
		if m := resourceGroupSegment.FindStringSubmatch(v); m != nil {
			groups = append(groups, m[1])
		}
	}
	switch i := slices.IndexFunc(azureDimensions, func(d azureDimension) bool { return d.Column == e.Dimension.Column }); {
	case e.Op == cost.OpContains && e.Dimension.Column == "ResourceId" && len(groups) == len(e.Values):
		cmp["name"], cmp["operator"], cmp["values"] = azureResourceGroups[0], "In", groups
	case i >= 0:
		cmp["name"] = azureDimensions[i].Azure
	}
	return map[string]any{"dimensions": cmp}
}

// etag is a budget's version, as a quoted string.
func etag(t time.Time) string {
	h := fnv.New64a()
	fmt.Fprint(h, t.UnixNano())
	return fmt.Sprintf("%q", fmt.Sprintf("%x", h.Sum64()))
}
