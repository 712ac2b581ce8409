package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

var (
	demoTokenLine = regexp.MustCompile(`(?m)^  (admin|finops|ana) +(rkn_[0-9a-f_]+) +(Owner|Contributor|Reader) on (\S+)$`)
	demoURLLine   = regexp.MustCompile(`^Reckon is serving the demo at (http://\S+)/ \(the API under /api/v1; data in (.+)\)$`)
)

// demoTokens are the sign-in tokens the demo printed, by user.
func demoTokens(t *testing.T, out string) map[string]string {
	t.Helper()
	tokens := map[string]string{}
	for _, m := range demoTokenLine.FindAllStringSubmatch(out, -1) {
		tokens[m[1]] = m[2]
	}
	if len(tokens) != 3 {
		t.Fatalf("the demo printed %d tokens, want admin's, finops's and ana's:\n%s", len(tokens), out)
	}
	return tokens
}

// currencyTotals is a scope's billed cost per currency, as user sees it.
func currencyTotals(t *testing.T, base, token, scope string) (map[string]decimal.Decimal, error) {
	t.Helper()
	var res cost.Result
	if err := (&apiCaller{base: base, token: token}).call("POST", "/api/v1/query", map[string]any{"scope": scope}, &res); err != nil {
		return nil, err
	}
	got := map[string]decimal.Decimal{}
	for _, r := range res.Rows {
		got[r.Currency] = got[r.Currency].Add(r.Cost)
	}
	return got, nil
}

// TestDemoOnceLeavesTheFullProductInItsFolder runs the demo once into a
// folder, serves the folder, and checks its catalog and totals through the
// API as each of the demo's users.
func TestDemoOnceLeavesTheFullProductInItsFolder(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	want, err := synth.WriteBucket(t.TempDir(), synth.DemoOptions(now))
	if err != nil {
		t.Fatal(err)
	}
	_, az := synth.GenerateAzure(synth.DemoAzureOptions(now))
	subs := synth.DemoAzureOptions(now).Subscriptions
	const ext = "Dm7xTq2Lw9Rb4Kc8Vn1Zp6Hs3Jg5Fa0E"
	saved := newExternalID
	newExternalID = func() string { return ext }
	defer func() { newExternalID = saved }()
	data := t.TempDir()
	code, out, stderr := cliAt(t, fixedClock{now}, "demo", "--once", "--data", data)
	if code != 0 {
		t.Fatalf("demo exited %d: %s\n%s", code, stderr, out)
	}
	if strings.Contains(out+stderr, ext) {
		t.Error("the demo printed its external ID")
	}
	tokens := demoTokens(t, out)
	if strings.Contains(out, "Reckon is serving") || strings.Contains(stderr, "level=INFO msg=request") {
		t.Errorf("--once printed a URL or logged its set-up's requests:\n%s\n%s", out, stderr)
	}
	base, again, stop := startServe(t, data, nil)
	defer stop()
	if again != "" {
		t.Error("reckon serve made another administrator on the demo's folder")
	}
	admin := &apiCaller{base: base, token: tokens["admin"]}

	var scopes struct {
		Value []struct{ ID, Name, Group string }
	}
	if err := admin.call("GET", "/api/v1/scopes", nil, &scopes); err != nil {
		t.Fatal(err)
	}
	groupOf, nameOf := map[string]string{}, map[string]string{}
	for _, s := range scopes.Value {
		groupOf[s.ID], nameOf[s.ID] = s.Group, s.Name
	}
	for id, group := range map[string]string{
		"mg/production": "mg/root", "mg/development": "mg/root",
		"aws/accounts/234567890123": "mg/production", "aws/accounts/345678901234": "mg/production",
		"azure/subscriptions/" + subs[0].ID: "mg/production",
		"aws/accounts/045678901234":         "mg/development", "aws/accounts/567890123456": "mg/development",
		"aws/accounts/678901234567": "mg/development", "aws/accounts/012345678901": "mg/development",
		"azure/subscriptions/" + subs[1].ID: "mg/development",
	} {
		if groupOf[id] != group {
			t.Errorf("%s is in %q, want %s", id, groupOf[id], group)
		}
	}
	for id, name := range map[string]string{"aws/accounts/234567890123": "Web Production", "aws/accounts/012345678901": "Trey Management",
		"azure/subscriptions/" + subs[0].ID: "Trey Prod", "connectors/" + demoConnector: "Trey Research (emulated AWS)"} {
		if nameOf[id] != name {
			t.Errorf("%s is named %q, want %q (from Organizations, Azure or the connector)", id, nameOf[id], name)
		}
	}

	var users struct{ Value []struct{ Name string } }
	if err := admin.call("GET", "/api/v1/users", nil, &users); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users.Value {
		names = append(names, u.Name)
	}
	if slices.Sort(names); strings.Join(names, ",") != "admin,ana,finops" {
		t.Errorf("users %v, want admin, ana and finops", names)
	}
	for scope, want := range map[string]string{"mg/production": "finops Contributor", "aws/accounts/234567890123": "ana Reader",
		"mg/root": "admin Owner", "connectors/" + demoConnector: "admin Owner"} {
		var as struct{ Value []struct{ User, Role string } }
		if err := admin.call("GET", "/api/v1/roleAssignments?scope="+scope, nil, &as); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range as.Value {
			got = append(got, a.User+" "+a.Role)
		}
		if !slices.Contains(got, want) {
			t.Errorf("assignments on %s: %v, want %s among them", scope, got, want)
		}
	}
	var conn map[string]any
	if err := admin.call("GET", "/api/v1/connectors/"+demoConnector, nil, &conn); err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(conn); strings.Contains(string(raw), ext) {
		t.Error("the API shows the connector's external ID")
	}
	if conn["roleArn"] != demoRoleARN || conn["reportName"] != "reckon-cur" || conn["defaultManagementGroup"] != string(demoDevelopment) || conn["externalId"] != nil {
		t.Errorf("the connector: %v", conn)
	}
	var views struct{ Value []cost.SavedView }
	if err := admin.call("GET", "/api/v1/views?scope=mg/root", nil, &views); err != nil || len(views.Value) != 3 {
		t.Errorf("views on mg/root: %d, %v", len(views.Value), err)
	}

	// Each user's totals, exact and a row per currency.
	sum := func(accounts ...string) string {
		total := decimal.Zero
		for _, a := range accounts {
			total = total.Add(decimal.MustParse(want.ByAccount[a].BilledCost))
		}
		return total.String()
	}
	for _, c := range []struct{ user, scope, usd, eur string }{
		{"admin", "mg/root", want.BilledCost, synth.Micro(az.BilledTotal)},
		{"admin", "aws/billing/" + demoPayer, want.BilledCost, ""},
		{"finops", "mg/production", sum(demoProductionAccounts...), synth.Micro(az.Billed[subs[0].ID])},
		{"finops", "aws/accounts/345678901234", sum("345678901234"), ""},
		{"ana", "aws/accounts/" + demoReaderAccount, sum(demoReaderAccount), ""},
	} {
		got, err := currencyTotals(t, base, tokens[c.user], c.scope)
		if err != nil {
			t.Errorf("%s on %s: %v", c.user, c.scope, err)
			continue
		}
		wantN := 1
		if c.eur != "" {
			wantN = 2
			if got["EUR"].Cmp(decimal.MustParse(c.eur)) != 0 {
				t.Errorf("%s on %s: %s EUR, want %s", c.user, c.scope, got["EUR"], c.eur)
			}
		}
		if len(got) != wantN || got["USD"].Cmp(decimal.MustParse(c.usd)) != 0 {
			t.Errorf("%s on %s: %v, want %s USD (and %q EUR)", c.user, c.scope, got, c.usd, c.eur)
		}
	}
	for _, c := range []struct{ user, scope string }{{"ana", "mg/root"}, {"ana", "aws/accounts/345678901234"},
		{"ana", "aws/billing/" + demoPayer}, {"ana", "mg/production"}, {"finops", "mg/development"}, {"finops", "aws/billing/" + demoPayer}} {
		if _, err := currencyTotals(t, base, tokens[c.user], c.scope); cost.ErrorCode(err) != cost.EForbidden {
			t.Errorf("%s on %s: %v, want Forbidden", c.user, c.scope, err)
		}
	}
	var anas struct{ Value []struct{ ID string } }
	if err := (&apiCaller{base: base, token: tokens["ana"]}).call("GET", "/api/v1/scopes", nil, &anas); err != nil ||
		len(anas.Value) != 1 || anas.Value[0].ID != "aws/accounts/"+demoReaderAccount {
		t.Errorf("ana's scopes: %+v, %v; want her account alone", anas.Value, err)
	}
}

// TestDemoServesTheProductUntilSignalled runs the demo as its own process
// on a free port, as a user does, and stops it with SIGTERM.
func TestDemoServesTheProductUntilSignalled(t *testing.T) {
	cmd := reckonProcess(nil, "demo", "--listen", "127.0.0.1:0")
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut strings.Builder
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	var seen strings.Builder
	lines := bufio.NewScanner(pipe)
	base, data := "", ""
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "Press Ctrl-C") {
		seen.WriteString(lines.Text() + "\n")
		if m := demoURLLine.FindStringSubmatch(lines.Text()); m != nil {
			base, data = m[1], m[2]
		}
	}
	out := seen.String()
	go func() {
		for lines.Scan() {
			seen.WriteString(lines.Text() + "\n")
		}
		exited <- cmd.Wait()
	}()
	if base == "" {
		t.Fatalf("the demo printed no URL:\n%s%s", out, errOut.String())
	}
	tokens := demoTokens(t, out)
	if got := get(t, base+"/healthz", ""); got != http.StatusOK {
		t.Errorf("/healthz: %d", got)
	}
	admin := &apiCaller{base: base, token: tokens["admin"]}
	var me struct{ Name string }
	if err := admin.call("GET", "/api/v1/me", nil, &me); err != nil || me.Name != "admin" {
		t.Errorf("/api/v1/me with the printed admin token: %+v, %v", me, err)
	}
	var conn struct {
		CollectionInfo *cost.CollectionInfo `json:"collectionInfo"`
		State          cost.ConnectorState
	}
	if err := admin.call("GET", "/api/v1/connectors/"+demoConnector, nil, &conn); err != nil {
		t.Fatal(err)
	}
	if conn.CollectionInfo == nil || conn.CollectionInfo.LastUpdated.IsZero() || conn.CollectionInfo.Error != nil || conn.State != cost.StateTrial {
		t.Errorf("the connector is not collected: %+v, %s", conn.CollectionInfo, conn.State)
	}
	var scopes struct {
		Value []struct{ ID, Name, Connector string }
	}
	if err := admin.call("GET", "/api/v1/scopes", nil, &scopes); err != nil {
		t.Fatal(err)
	}
	discovered := 0
	for _, s := range scopes.Value {
		for _, a := range demoAccounts {
			if s.ID == "aws/accounts/"+a.ID && s.Name == a.Name {
				discovered++
			}
		}
	}
	if discovered != len(demoAccounts) {
		t.Errorf("%d of the %d accounts are discovered with their Organizations names: %+v", discovered, len(demoAccounts), scopes.Value)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the deferred wait
		if err != nil {
			t.Errorf("the demo after SIGTERM: %v\n%s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not stop within 30 s of SIGTERM")
	}
	if !strings.HasSuffix(seen.String(), "Reckon stopped.\n") {
		t.Errorf("no clean stop at the end of:\n%s", seen.String())
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("the temporary data folder %s is left: %v", data, err)
	}
}

func TestDemoSaysWhenItsPortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, out, stderr := cli(t, "demo", "--listen", ln.Addr().String())
	if code != 1 || out != "" || !strings.Contains(stderr, ln.Addr().String()+" is in use") || !strings.Contains(stderr, "--listen 127.0.0.1:8081") {
		t.Errorf("exit %d, %q, %q; want 1 and a message naming the address and --listen", code, out, stderr)
	}
}
