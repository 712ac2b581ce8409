package api

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// The Azure Cost Management door: Azure Resource Manager's own paths for
// the Query and Forecast APIs, over the same cost.Query, runQuery and access
// rules as /api/v1/query. A script written for the original service, over
// REST or through an Azure SDK whose endpoint is Reckon, runs by changing
// the host and the token.

// armScope is one way Azure Resource Manager names a Reckon scope: the
// path up to the scope's key (a wildcard), and the path from the key to the
// operation.
type armScope struct {
	prefix, param, suffix string
	scope                 func(key string) (cost.ScopeID, error)
}

// costManagement is the resource provider whose operations the door serves.
const costManagement = "/providers/Microsoft.CostManagement"

// armScopes are the scope forms the door accepts. The AWS forms are the
// original connector's "external" scopes; they also come without the
// second provider segment, as the SDKs' usageByExternalCloudProviderType
// sends them.
var armScopes = []armScope{
	{"/providers/Microsoft.Management/managementGroups/", "id", costManagement, cost.ManagementGroupID},
	{"/subscriptions/", "subscription", costManagement, cost.SubscriptionID},
	{"/providers/Microsoft.Billing/billingAccounts/", "account", costManagement, cost.AzureBillingAccountID},
	{costManagement + "/externalBillingAccounts/", "payer", costManagement, cost.BillingAccountID},
	{costManagement + "/externalSubscriptions/", "account", costManagement, cost.LinkedAccountID},
	{costManagement + "/externalBillingAccounts/", "payer", "", cost.BillingAccountID},
	{costManagement + "/externalSubscriptions/", "account", "", cost.LinkedAccountID},
}

// azureRoutes are the Azure Cost Management door's routes: the Query and
// Forecast APIs at each ARM scope form.
func azureRoutes() []route {
	var out []route
	for _, form := range armScopes {
		path := form.prefix + "{" + form.param + "}" + form.suffix
		out = append(out,
			route{Method: "POST", Path: path + "/query",
				Summary: "Azure Cost Management Query API: sum the costs of the scope (Reader on it); the Azure body and answer",
				Query:   []string{"api-version"}, Handler: func(s *Server, c *call) (any, error) { return s.azureQuery(c, form) }},
			route{Method: "POST", Path: path + "/forecast",
				Summary: "Azure Cost Management Forecast API: the scope's daily actual and forecast cost, with its 80% band (Reader on it)",
				Query:   []string{"api-version"}, Handler: func(s *Server, c *call) (any, error) { return s.azureForecast(c, form) }},
		)
	}
	return append(out, azureBudgetRoutes()...)
}

// The page size of the door's answers: Azure's own, which $top lowers.
const (
	azurePageSize = 5000
	topParam      = "$top"
)

// apiVersionShape is the shape of every api-version Azure has used:
// 2022-10-01, 2019-04-01-preview.
var apiVersionShape = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-preview|-beta|-privatepreview)?$`)

// azureRequest reads what every call of the door needs from its URL: the
// scope, the api-version and the page size.
func azureRequest(c *call, form armScope) (scope cost.ScopeID, pageSize int, err error) {
	params := c.r.URL.Query()
	version := params.Get("api-version")
	if version == "" {
		return "", 0, cost.Errorf(cost.EInvalid, "The api-version query parameter (?api-version=) is required for all requests: "+
			"add ?api-version=2022-10-01, or the version your client was written for")
	}
	if !apiVersionShape.MatchString(version) {
		return "", 0, cost.Errorf(cost.EInvalid, "The api-version %s is not valid: write a date like 2022-10-01, "+
			"as Azure names its versions", cost.Quote(version))
	}
	scope, err = form.scope(c.r.PathValue(form.param))
	if err != nil {
		return "", 0, err
	}
	pageSize = azurePageSize
	if top := params.Get(topParam); top != "" {
		n, err := strconv.Atoi(top)
		if err != nil || n < 1 || n > azurePageSize {
			return "", 0, cost.Errorf(cost.EInvalid, "$top %s is not a page size: give a number of rows from 1 to %d",
				cost.Quote(top), azurePageSize)
		}
		pageSize = n
	}
	return scope, pageSize, nil
}

// azureQuery answers the Query API: one page of the Azure body's query on
// the scope, in Azure's shape.
func (s *Server) azureQuery(c *call, form armScope) (any, error) {
	scope, pageSize, err := azureRequest(c, form)
	if err != nil {
		return nil, err
	}
	var body azureQueryBody
	if err := decode(c.r, &body); err != nil {
		return nil, err
	}
	plan, err := body.plan(s.clock.Now())
	if err != nil {
		return nil, err
	}
	plan.q.Limit = pageSize
	res, err := s.runQuery(c, scope, plan.q)
	if err != nil {
		return nil, err
	}
	return plan.answer(azureResourceID(c), res), nil
}

// azureResourceID is the id Azure gives a query's answer: the request's
// path and a GUID of its own.
func azureResourceID(c *call) string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand.Read never fails
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	guid := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	return strings.TrimPrefix(c.r.URL.Path, "/") + "/" + guid
}

// invalidQuery is an EInvalid error worded as Azure words its own.
func invalidQuery(format string, args ...any) error {
	return cost.Errorf(cost.EInvalid, "Invalid query definition: "+format, args...)
}
