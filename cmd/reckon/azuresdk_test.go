package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/duckstore"
)

// The SDK test's data: an AWS payer with two linked accounts and an Azure
// subscription, the group apps holding one account and the subscription.
// Amounts are sums of powers of two, so that the SDK's sum in JavaScript
// numbers is exact and compares with Reckon's decimals digit for digit.
const (
	sdkPayer = "111111111111"
	sdkWeb   = "222222222222"
	sdkData  = "333333333333"
	sdkSub   = "0b1f6471-1bf0-4dda-aec3-111122223333"
	sdkToken = "rkn_0123456789abcdef_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

var sdkRows = []struct{ account, day, service, amount string }{
	{sdkWeb, "2026-10-31", "Amazon Elastic Compute Cloud", "99"}, // before the period asked
	{sdkWeb, "2026-11-01", "Amazon Elastic Compute Cloud", "12.5"},
	{sdkWeb, "2026-11-02", "Amazon Elastic Compute Cloud", "0.375"},
	{sdkWeb, "2026-11-02", "Amazon Simple Storage Service", "250.25"},
	{sdkWeb, "2026-11-03", "Amazon Simple Storage Service", "1.0625"},
	{sdkData, "2026-11-01", "Amazon Relational Database Service", "7.75"},
	{sdkData, "2026-11-04", "Amazon Relational Database Service", "3.5"},
	{sdkData, "2026-11-05", "Tax", "0.125"},
	{sdkData, "2026-11-06", "Amazon Relational Database Service", "-2.5"},
	{sdkSub, "2026-11-01", "Virtual Machines", "20.5"},
	{sdkSub, "2026-11-02", "Virtual Machines", "20.5"},
	{sdkSub, "2026-11-03", "Storage", "0.0078125"},
	{sdkSub, "2026-11-04", "Storage", "5.25"},
	{sdkSub, "2026-11-30", "Virtual Machines", "1.5"}, // the last day asked: Azure's to includes it
}

// The four ARM scope forms, the Reckon scope each names, and its accounts.
var sdkScopes = []struct {
	arm, reckon string
	accounts    []string
}{
	{"providers/Microsoft.Management/managementGroups/apps", "mg/apps", []string{sdkWeb, sdkSub}},
	{"subscriptions/" + sdkSub, "azure/subscriptions/" + sdkSub, []string{sdkSub}},
	{"providers/Microsoft.CostManagement/externalBillingAccounts/" + sdkPayer, "aws/billing/" + sdkPayer, []string{sdkWeb, sdkData}},
	{"providers/Microsoft.CostManagement/externalSubscriptions/" + sdkData, "aws/accounts/" + sdkData, []string{sdkData}},
}

// sdkBody is the Azure body every door is asked: November 2026, daily, by
// service.
var sdkBody = map[string]any{"type": "ActualCost", "timeframe": "Custom",
	"timePeriod": map[string]string{"from": "2026-11-01T00:00:00Z", "to": "2026-11-30T00:00:00Z"},
	"dataset": map[string]any{"granularity": "Daily",
		"aggregation": map[string]any{"totalCost": map[string]string{"name": "Cost", "function": "Sum"}},
		"grouping":    []map[string]string{{"type": "Dimension", "name": "ServiceName"}}}}

// sdkForecastBody asks the Forecast API for November 2026 with its actual
// cost to date.
var sdkForecastBody = map[string]any{"type": "ActualCost", "timeframe": "Custom",
	"timePeriod": map[string]string{"from": "2026-11-01T00:00:00Z", "to": "2026-11-30T00:00:00Z"},
	"dataset": map[string]any{"granularity": "Daily",
		"aggregation": map[string]any{"totalCost": map[string]string{"name": "Cost", "function": "Sum"}}},
	"includeActualCost": true, "includeFreshPartialCost": true}

// sdkWant sums the rows of the accounts in November, apart from any door.
func sdkWant(accounts []string) decimal.Decimal { return sdkWantUntil(accounts, "2026-11-30") }

// sdkWantUntil sums the rows of the accounts in November up to the day.
func sdkWantUntil(accounts []string, last string) decimal.Decimal {
	sum := decimal.Zero
	for _, r := range sdkRows {
		if slices.Contains(accounts, r.account) && strings.HasPrefix(r.day, "2026-11") && r.day <= last {
			sum = sum.Add(decimal.MustParse(r.amount))
		}
	}
	return sum
}

// TestTheAzureSDKGetsReckonsTotals starts reckon serve with TLS over the
// data above and asks each ARM scope form's total through Reckon's own
// door, a plain REST call with the Azure body, and the official
// @azure/arm-costmanagement client run by Node; each equals the rows' sum.
// The Node part is skipped only when test/azure-sdk/node_modules is
// missing and RECKON_REQUIRE_AZURE_SDK is unset.
func TestTheAzureSDKGetsReckonsTotals(t *testing.T) {
	data := t.TempDir()
	seedSDKData(t, data)
	cert, key := selfSignedCert(t, t.TempDir())
	base, stop := startTLSServe(t, data, "--tls-cert", cert, "--tls-key", key)
	defer stop()
	client := trustingClient(t, cert)
	for _, sc := range sdkScopes {
		want := sdkWant(sc.accounts)
		if got := ownDoorTotal(t, client, base, sc.reckon); got.Cmp(want) != 0 {
			t.Errorf("%s: Reckon's door says %s, the rows sum to %s", sc.reckon, got, want)
		}
		if got, pages := azureRESTTotal(t, client, base+"/"+sc.arm+"/providers/Microsoft.CostManagement/query?api-version=2022-10-01&$top=2"); got.Cmp(want) != 0 || pages < 2 {
			t.Errorf("%s: the REST call says %s in %d pages, the rows sum to %s", sc.arm, got, pages, want)
		}
		checkForecastActuals(t, sc.arm, sc.accounts, restForecast(t, client, base, sc.arm))
	}
	sdk := filepath.Join("..", "..", "test", "azure-sdk")
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(sdk, "node_modules", "@azure", "arm-costmanagement")); statErr != nil || err != nil {
		if os.Getenv("RECKON_REQUIRE_AZURE_SDK") != "" {
			t.Fatalf("RECKON_REQUIRE_AZURE_SDK is set, but the SDK cannot run (node: %v; the SDK: %v): run npm ci --prefix test/azure-sdk", err, statErr)
		}
		t.Skip("the Azure SDK is not installed: npm ci --prefix test/azure-sdk")
	}
	results := runSDK(t, node, sdk, base, cert)
	for _, sc := range sdkScopes {
		want := sdkWant(sc.accounts)
		forms := []string{sc.arm}
		if ext, ok := strings.CutPrefix(sc.arm, "providers/Microsoft.CostManagement/"); ok {
			forms = append(forms, "external:"+ext)
		}
		for _, form := range forms {
			r, ok := results[form]
			if !ok {
				t.Errorf("the SDK printed nothing for %s", form)
				continue
			}
			if got := decimal.MustParse(r.Total.String()); got.Cmp(want) != 0 {
				t.Errorf("%s through the SDK's %s: %s, the rows sum to %s", form, r.Method, got, want)
			}
			if r.Pages < 2 || r.Type != "Microsoft.CostManagement/query" || len(r.Columns) != 4 || r.Columns[0].Name != "Cost" ||
				r.Columns[1].Name != "UsageDate" || r.Columns[2].Name != "ServiceName" || r.Columns[3].Name != "Currency" {
				t.Errorf("%s through the SDK: %d pages of %+v, type %q", form, r.Pages, r.Columns, r.Type)
			}
			t.Logf("%s: the SDK's %s read %d rows in %d pages, total %s", form, r.Method, r.Rows, r.Pages, r.Total)
			if r.Forecast == nil {
				t.Errorf("%s: the SDK printed no forecast", form)
				continue
			}
			sameForecast(t, form, r.Forecast.Rows, restForecast(t, client, base, sc.arm))
			t.Logf("%s: the SDK's forecast read %d rows", form, len(r.Forecast.Rows))
		}
	}
}

// restForecast posts sdkForecastBody to the Forecast API at the ARM scope.
func restForecast(t *testing.T, client *http.Client, base, arm string) [][]json.RawMessage {
	t.Helper()
	status, out := postJSON(t, client, base+"/"+arm+"/providers/Microsoft.CostManagement/forecast?api-version=2022-10-01", sdkForecastBody)
	var page struct {
		Properties struct{ Rows [][]json.RawMessage }
	}
	if err := json.Unmarshal(out, &page); status != 200 || err != nil {
		t.Fatalf("forecast at %s: %d %s", arm, status, out)
	}
	return page.Properties.Rows
}

// checkForecastActuals checks that the forecast's Actual rows sum to the
// rows of the days up to today (the server's clock is the system's).
func checkForecastActuals(t *testing.T, arm string, accounts []string, rows [][]json.RawMessage) {
	t.Helper()
	today := time.Now().UTC().Format("20060102")
	actual := decimal.Zero
	for _, row := range rows {
		if string(row[2]) == `"Actual"` {
			actual = actual.Add(decimal.MustParse(string(row[0])))
			if string(row[1]) > today {
				t.Errorf("%s: an actual cost on %s, after today", arm, row[1])
			}
		}
	}
	last := min(time.Now().UTC().Format(time.DateOnly), "2026-11-30")
	if want := sdkWantUntil(accounts, last); actual.Cmp(want) != 0 {
		t.Errorf("%s: the forecast's actual days sum to %s, the rows to %s", arm, actual, want)
	}
}

// sameForecast compares the forecast rows the SDK read with the REST
// call's: the same strings, and each number the double nearest Reckon's
// decimal.
func sameForecast(t *testing.T, form string, sdk, rest [][]json.RawMessage) {
	t.Helper()
	if len(sdk) != len(rest) || len(rest) == 0 {
		t.Errorf("%s: the SDK read %d forecast rows, the REST call %d", form, len(sdk), len(rest))
		return
	}
	for i := range rest {
		for j := range rest[i] {
			a, b := string(sdk[i][j]), string(rest[i][j])
			if strings.HasPrefix(b, `"`) {
				if a != b {
					t.Errorf("%s row %d cell %d: the SDK read %s, Reckon sent %s", form, i, j, a, b)
				}
				continue
			}
			x, errA := strconv.ParseFloat(a, 64)
			y, errB := strconv.ParseFloat(b, 64)
			if errA != nil || errB != nil || x != y {
				t.Errorf("%s row %d cell %d: the SDK read %s, Reckon sent %s", form, i, j, a, b)
			}
		}
	}
}

// seedSDKData loads the rows into a data folder and makes their scopes,
// the administrator with sdkToken, and its ownership of the payer.
func seedSDKData(t *testing.T, data string) {
	t.Helper()
	ctx := context.Background()
	store, err := duckstore.Open(ctx, data, loadOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var rows []*cost.Row
	for _, r := range sdkRows {
		day, _ := time.Parse(time.DateOnly, r.day)
		month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		row := &cost.Row{ProviderName: "AWS", BillingAccountID: sdkPayer, SubAccountID: r.account, ChargeCategory: cost.ChargeUsage,
			BillingPeriodStart: month, BillingPeriodEnd: month.AddDate(0, 1, 0), ChargePeriodStart: day, ChargePeriodEnd: day.AddDate(0, 0, 1),
			BilledCost: decimal.MustParse(r.amount), EffectiveCost: decimal.MustParse(r.amount), BillingCurrency: "USD", ServiceName: r.service}
		if r.account == sdkSub {
			row.ProviderName, row.BillingAccountID = "Microsoft", "contoso-ea"
		}
		rows = append(rows, row)
	}
	if _, err := store.ReplacePeriods(ctx, cost.Load{Source: "azure-sdk-test", Version: "1"}, &rowList{rows: rows}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.EnsureAdmin(ctx, store, fixedClock{time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}, sdkToken); err != nil {
		t.Fatal(err)
	}
	err = store.Update(ctx, func(tx cost.CatalogTx) error {
		conn, billing := cost.ScopeID("connectors/sdk"), cost.ScopeID("aws/billing/"+sdkPayer)
		return firstError(
			cost.AddScope(ctx, tx, cost.Scope{ID: conn, Name: "sdk"}),
			cost.AddScope(ctx, tx, cost.Scope{ID: billing, Name: "Payer", Connector: conn}),
			cost.AddScope(ctx, tx, cost.Scope{ID: "mg/apps", Name: "Apps"}),
			cost.AddScope(ctx, tx, cost.Scope{ID: "aws/accounts/" + sdkWeb, Name: "web", Group: "mg/apps", BillingAccount: billing, Connector: conn}),
			cost.AddScope(ctx, tx, cost.Scope{ID: "aws/accounts/" + sdkData, Name: "data", BillingAccount: billing, Connector: conn}),
			cost.AddScope(ctx, tx, cost.Scope{ID: "azure/subscriptions/" + sdkSub, Name: "Contoso", Group: "mg/apps"}),
			tx.AddAssignment(ctx, cost.Assignment{User: api.AdminUser, Role: cost.RoleOwner, Scope: billing}))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

type rowList struct {
	rows []*cost.Row
	i    int
}

func (l *rowList) Next() (*cost.Row, error) {
	if l.i == len(l.rows) {
		return nil, io.EOF
	}
	l.i++
	return l.rows[l.i-1], nil
}

// selfSignedCert writes a self-signed certificate for 127.0.0.1 and its
// key to dir, as PEM files.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "reckon test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	sdkMust(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	sdkMust(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile
}

func sdkMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// trustingClient is an HTTP client that trusts the certificate alone.
func trustingClient(t *testing.T, certFile string) *http.Client {
	t.Helper()
	pemData, err := os.ReadFile(certFile)
	sdkMust(t, err)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatal("the certificate does not parse")
	}
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

var servingTLS = regexp.MustCompile(`serving (https://\S+)/api/v1`)

// startTLSServe starts `reckon serve` with the flags on a free port and
// returns its https base URL.
func startTLSServe(t *testing.T, data string, flags ...string) (base string, stop func()) {
	t.Helper()
	cmd := reckonProcess(nil, append([]string{"serve", "--data", data, "--listen", "127.0.0.1:0"}, flags...)...)
	pipe, err := cmd.StdoutPipe()
	sdkMust(t, err)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	sdkMust(t, cmd.Start())
	lines := bufio.NewScanner(pipe)
	for base == "" && lines.Scan() {
		if m := servingTLS.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("serve did not start with TLS: %s", errOut.String())
	}
	go io.Copy(io.Discard, pipe) //nolint:errcheck // the rest of its output
	return base, func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve after SIGTERM: %v; stderr: %s", err, errOut.String())
		}
	}
}

// postJSON posts body with the admin's token and returns the status and
// the answer.
func postJSON(t *testing.T, client *http.Client, url string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+sdkToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// ownDoorTotal asks POST /api/v1/query for the scope's November total.
func ownDoorTotal(t *testing.T, client *http.Client, base, scope string) decimal.Decimal {
	t.Helper()
	status, out := postJSON(t, client, base+"/api/v1/query", map[string]any{"scope": scope, "from": "2026-11-01", "to": "2026-12-01"})
	var res cost.Result
	if err := json.Unmarshal(out, &res); status != 200 || err != nil {
		t.Fatalf("%s: %d %s", scope, status, out)
	}
	sum := decimal.Zero
	for _, row := range res.Rows {
		sum = sum.Add(row.Cost)
	}
	return sum
}

// azureRESTTotal posts sdkBody to an Azure door URL, follows its
// nextLinks, and sums the Cost column exactly.
func azureRESTTotal(t *testing.T, client *http.Client, url string) (decimal.Decimal, int) {
	t.Helper()
	sum, pages := decimal.Zero, 0
	for ; url != ""; pages++ {
		status, out := postJSON(t, client, url, sdkBody)
		var page struct {
			Properties struct {
				NextLink string
				Rows     [][]json.RawMessage
			}
		}
		if err := json.Unmarshal(out, &page); status != 200 || err != nil {
			t.Fatalf("%s: %d %s", url, status, out)
		}
		for _, row := range page.Properties.Rows {
			sum = sum.Add(decimal.MustParse(string(row[0])))
		}
		url = page.Properties.NextLink
	}
	return sum, pages
}

// sdkResult is what usage.js prints for one scope.
type sdkResult struct {
	Scope, Method, ID, Type string
	Columns                 []cost.Column
	Pages, Rows             int
	Total                   json.Number
	Forecast                *struct{ Rows [][]json.RawMessage }
}

// runSDK runs usage.js on every scope form, two rows a page.
func runSDK(t *testing.T, node, dir, base, cert string) map[string]sdkResult {
	t.Helper()
	var scopes []string
	for _, sc := range sdkScopes {
		scopes = append(scopes, sc.arm)
		if ext, ok := strings.CutPrefix(sc.arm, "providers/Microsoft.CostManagement/"); ok {
			scopes = append(scopes, "external:"+ext)
		}
	}
	scopesJSON, _ := json.Marshal(scopes)
	bodyJSON, _ := json.Marshal(sdkBody)
	forecastJSON, _ := json.Marshal(sdkForecastBody)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "usage.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RECKON_ENDPOINT="+base, "RECKON_TOKEN="+sdkToken, "RECKON_SCOPES="+string(scopesJSON),
		"RECKON_BODY="+string(bodyJSON), "RECKON_TOP=2", "RECKON_FORECAST_BODY="+string(forecastJSON), "NODE_EXTRA_CA_CERTS="+cert)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node usage.js: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var printed struct{ Results []sdkResult }
	if err := dec.Decode(&printed); err != nil {
		t.Fatalf("usage.js printed %q: %v", out, err)
	}
	results := map[string]sdkResult{}
	for _, r := range printed.Results {
		results[r.Scope] = r
	}
	return results
}
