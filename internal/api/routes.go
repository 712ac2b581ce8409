package api

import "net/http"

// route is one API operation. The table below is the whole API: the mux,
// the OpenAPI document and the metrics labels all come from it.
type route struct {
	Method  string
	Path    string // a net/http pattern path, e.g. /api/v1/users/{name}
	Summary string
	Public  bool     // served without a token
	Status  int      // the success status; 200 when zero
	Request any      // an example request body, for the OpenAPI document
	Query   []string // required query parameters
	// Long is set on a route whose answer may take longer than the
	// server's write timeout: it gets collectTimeout instead.
	Long bool
	// Upload is set on a route whose body is a file or a tar stream, bound
	// by Options.MaxUpload rather than maxBody.
	Upload  bool
	Handler func(*Server, *call) (any, error)
}

// routes is the routing table.
var routes []route

func init() {
	routes = []route{
		{Method: "GET", Path: "/healthz", Summary: "Liveness: 200 while the server runs", Public: true, Handler: (*Server).healthz},
		{Method: "GET", Path: "/readyz", Summary: "Readiness: 200 while the catalog and the cost store answer, else 503", Public: true, Handler: (*Server).readyz},
		{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics", Public: true, Handler: (*Server).metricsText},
		{Method: "GET", Path: "/api/v1/openapi.json", Summary: "This API's OpenAPI 3.1 document", Public: true, Handler: (*Server).openAPI},
		{Method: "GET", Path: "/api/v1/me", Summary: "The caller and their role assignments", Handler: (*Server).me},
		{Method: "GET", Path: "/api/v1/scopes", Summary: "The scopes the caller can read, as a list in tree order", Handler: (*Server).listScopes},
		{Method: "PATCH", Path: "/api/v1/scopes/{id...}", Summary: "Rename a group, subscription, billing or linked account (Contributor on it); a name given here stays over AWS Organizations' names", Request: renameRequest{}, Handler: (*Server).renameScope},
		{Method: "POST", Path: "/api/v1/managementGroups", Summary: "Create a management group (Contributor on the parent)", Status: http.StatusCreated, Request: groupRequest{}, Handler: (*Server).createGroup},
		{Method: "DELETE", Path: "/api/v1/managementGroups/{id}", Summary: "Delete an empty management group (Contributor on it)", Handler: (*Server).deleteGroup},
		{Method: "PATCH", Path: "/api/v1/managementGroups/{id}", Summary: "Rename a group (Contributor on it)", Request: renameRequest{}, Handler: (*Server).renameGroup},
		{Method: "POST", Path: "/api/v1/managementGroups/{id}/move", Summary: "Move a group under another (Contributor on both)", Request: moveGroupRequest{}, Handler: (*Server).moveGroup},
		{Method: "POST", Path: "/api/v1/managementGroups/{id}/children", Summary: "Move subscriptions and linked accounts into the group, all or nothing (Contributor on each and on the group)", Request: moveScopesRequest{}, Handler: (*Server).moveScopes},
		{Method: "POST", Path: "/api/v1/subscriptions", Summary: "Add an Azure subscription scope to a group (Contributor on the group)", Status: http.StatusCreated, Request: subscriptionRequest{}, Handler: (*Server).createSubscription},
		{Method: "GET", Path: "/api/v1/users", Summary: "List users (Owner at the root group)", Handler: (*Server).listUsers},
		{Method: "POST", Path: "/api/v1/users", Summary: "Create a user (Owner at the root group)", Status: http.StatusCreated, Request: userRequest{}, Handler: (*Server).createUser},
		{Method: "POST", Path: "/api/v1/users/{name}/tokens", Summary: "Create an API token, shown once (the user, or Owner at the root group)", Status: http.StatusCreated, Handler: (*Server).createToken},
		{Method: "POST", Path: "/api/v1/roleAssignments", Summary: "Assign a role on a scope (Owner on the scope)", Status: http.StatusCreated, Request: assignmentRequest{}, Handler: (*Server).assignRole},
		{Method: "GET", Path: "/api/v1/roleAssignments", Summary: "Role assignments made directly on ?scope= (Reader on it)", Query: []string{"scope"}, Handler: (*Server).listAssignments},
		{Method: "DELETE", Path: "/api/v1/roleAssignments", Summary: "Remove the assignment ?user=&role=&scope= (Owner on the scope)", Query: []string{"user", "role", "scope"}, Handler: (*Server).removeAssignment},
		{Method: "POST", Path: "/api/v1/query", Summary: "Sum the costs of a scope (Reader on it); the Azure Cost Management Query response shape", Request: queryRequest{}, Handler: (*Server).query},
		{Method: "POST", Path: "/api/v1/forecast", Summary: "Daily actual cost to date and a forecast to the end of the period, with an 80% band (Reader on the scope)", Request: forecastRequest{}, Handler: (*Server).forecast},
		{Method: "GET", Path: "/api/v1/export", Summary: "Every row of ?scope= whose charge period starts in ?from=&to= (optional, YYYY-MM-DD, to exclusive), and that ?filter= keeps (optional, the filter language of a query), as a FOCUS 1.2 file, ?format=focus-csv or focus-parquet, streamed (Reader on it)", Query: []string{"scope", "format"}, Long: true, Handler: (*Server).exportFocus},
		{Method: "GET", Path: "/api/v1/dimensions", Summary: "The dimensions and tag keys of ?scope= with their values in ?from=&to= (Reader on it); ?search= and ?limit= narrow them", Query: []string{"scope"}, Handler: (*Server).dimensions},
		{Method: "POST", Path: "/api/v1/views", Summary: "Save a named query with its chart on a scope (Contributor on it)", Status: http.StatusCreated, Request: viewRequest{}, Handler: (*Server).createView},
		{Method: "GET", Path: "/api/v1/views", Summary: "The saved views of ?scope= (Reader on it)", Query: []string{"scope"}, Handler: (*Server).listViews},
		{Method: "GET", Path: "/api/v1/views/{id}", Summary: "One saved view (Reader on its scope)", Handler: (*Server).showView},
		{Method: "PATCH", Path: "/api/v1/views/{id}", Summary: "Edit a saved view (Contributor on its scope)", Request: viewRequest{}, Handler: (*Server).updateView},
		{Method: "DELETE", Path: "/api/v1/views/{id}", Summary: "Delete a saved view (Contributor on its scope)", Handler: (*Server).deleteView},
		{Method: "POST", Path: "/api/v1/budgets", Summary: "Create a budget on a scope, with up to 5 actual or forecast thresholds and whom to tell (Contributor on it)", Status: http.StatusCreated, Request: budgetRequest{}, Handler: (*Server).createBudget},
		{Method: "GET", Path: "/api/v1/budgets", Summary: "The budgets of ?scope=, each with its current period's cost and forecast (Reader on it)", Query: []string{"scope"}, Handler: (*Server).listBudgets},
		{Method: "GET", Path: "/api/v1/budgets/{id}", Summary: "One budget, its current period and the cost of its last 12 periods (Reader on its scope)", Handler: (*Server).showBudget},
		{Method: "PATCH", Path: "/api/v1/budgets/{id}", Summary: "Edit a budget (Contributor on its scope)", Request: budgetRequest{}, Handler: (*Server).updateBudget},
		{Method: "DELETE", Path: "/api/v1/budgets/{id}", Summary: "Delete a budget; its alerts stay as history (Contributor on its scope)", Handler: (*Server).deleteBudget},
		{Method: "GET", Path: "/api/v1/alerts", Summary: "Budget and anomaly alerts on the scopes you read, the latest first; ?scope=, ?state= active, dismissed or resolved, ?kind= budget or anomaly, ?budget= narrow them", Handler: (*Server).listAlerts},
		{Method: "GET", Path: "/api/v1/alerts/{id}", Summary: "One alert with its deliveries (Reader on its scope)", Handler: (*Server).showAlert},
		{Method: "POST", Path: "/api/v1/alerts/{id}/dismiss", Summary: "Dismiss an active alert (Contributor on its scope)", Handler: (*Server).dismissAlert},
		{Method: "POST", Path: "/api/v1/anomalySubscriptions", Summary: "Tell people of a scope's cost anomalies (Contributor on it)", Status: http.StatusCreated, Request: anomalySubRequest{}, Handler: (*Server).createAnomalySub},
		{Method: "GET", Path: "/api/v1/anomalySubscriptions", Summary: "The anomaly subscriptions of ?scope= (Reader on it)", Query: []string{"scope"}, Handler: (*Server).listAnomalySubs},
		{Method: "DELETE", Path: "/api/v1/anomalySubscriptions/{id}", Summary: "Delete an anomaly subscription (Contributor on its scope)", Handler: (*Server).deleteAnomalySub},
		{Method: "GET", Path: "/api/v1/exchangeRates", Summary: "The exchange rates budgets convert other currencies with", Handler: (*Server).listRates},
		{Method: "PUT", Path: "/api/v1/exchangeRates", Summary: "Set the rate from one currency to another (Contributor at mg/root)", Request: rateRequest{}, Handler: (*Server).putRate},
		{Method: "DELETE", Path: "/api/v1/exchangeRates", Summary: "Delete the rate ?from=&to= (Contributor at mg/root)", Query: []string{"from", "to"}, Handler: (*Server).deleteRate},
		{Method: "POST", Path: "/api/v1/connectors", Summary: "Create an AWS connector, in its trial, or a source of Azure exports or FOCUS files, active at once (Contributor at the root group; you become its Owner)", Status: http.StatusCreated, Request: connectorRequest{}, Handler: (*Server).createConnector},
		{Method: "GET", Path: "/api/v1/connectors", Summary: "The connectors you can read; never the external ID", Handler: (*Server).listConnectors},
		{Method: "GET", Path: "/api/v1/connectors/{name}", Summary: "One connector (Reader on it)", Handler: (*Server).showConnector},
		{Method: "PATCH", Path: "/api/v1/connectors/{name}", Summary: "Edit a connector (Contributor on it); the role's account cannot change; a billing subscription renews it", Request: connectorEdit{}, Handler: (*Server).editConnector},
		{Method: "DELETE", Path: "/api/v1/connectors/{name}", Summary: "Delete a connector (Owner on it); the next periodic job removes its scopes and data", Handler: (*Server).deleteConnector},
		{Method: "POST", Path: "/api/v1/connectors/{name}/verify", Summary: "Verify the set-up: an AWS role, report and bucket, or a source's storage and exports, with their error codes (Contributor on it)", Handler: (*Server).verifyConnector},
		{Method: "POST", Path: "/api/v1/connectors/{name}/reconcile", Summary: "Compare the connector's cost per month and linked account with Cost Explorer's, to the cent; ?metric= UnblendedCost (the default), NetUnblendedCost, AmortizedCost or NetAmortizedCost (Contributor on it)", Long: true, Handler: (*Server).reconcileConnector},
		{Method: "GET", Path: "/api/v1/connectors/{name}/setupPolicy", Summary: "The role's permissions and trust policies, as reckon aws setup-policy writes them, for ?bucket= and ?prefix= of the report and ?trustedAccount=, Reckon's AWS account; the trust policy names <EXTERNAL_ID>, never the connector's (Reader on it)", Handler: (*Server).setupPolicy},
		{Method: "POST", Path: "/api/v1/connectors/{name}/collect", Summary: "Collect now and discover the accounts (Contributor on it)", Long: true, Handler: (*Server).collectConnector},
		{Method: "POST", Path: "/api/v1/ingest", Summary: "Load a CUR, Azure or FOCUS file (?name=), or a folder as a tar stream (Content-Type: application/x-tar), with the caller's rights: Contributor on ?group= (mg/root by default), where new accounts go, and on every billing account and account its rows name that exists; ?report=, ?replace=true, ?allowEmpty=true as reckon ingest", Long: true, Upload: true, Handler: (*Server).ingest},
		{Method: "GET", Path: "/api/v1/auditLog", Summary: "Audit entries on the scopes the caller owns", Handler: (*Server).auditLog},
	}
	routes = append(routes, azureRoutes()...)
}
