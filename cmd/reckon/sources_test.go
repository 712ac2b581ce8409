package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestAnAzureExportSourceThroughTheAPI creates an Azure export source as a
// Contributor, against Azurite, and collects it through the API of a
// running `reckon serve`: the billing account and subscriptions become
// scopes in the default group, owned by the creator, with copies of the
// source's assignments; the totals are the generator's; a restated run
// replaces its month; a credential without list, a missing container and
// an unset variable fail with their codes in collectionInfo; and the SAS
// token appears in no answer, output or log line.
func TestAnAzureExportSourceThroughTheAPI(t *testing.T) {
	az := azuriteEnv(t)
	container := newContainerName()
	july := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	aug := july.AddDate(0, 1, 0)
	opts := synth.AzureOptions{Seed: 1, Start: july, Months: 2, BillingAccountID: "8611537", BillingAccountName: "Trey Research", Currency: "EUR",
		Subscriptions: []synth.AzureSubscription{{ID: "1a2b3c4d-0000-4000-8000-00000000000a", Name: "Trey Prod"}, {ID: "5e6f7a8b-0000-4000-8000-00000000000b", Name: "Trey Dev"}}}
	exports := t.TempDir()
	tot, err := synth.WriteAzureExports(exports, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Under a root folder, as an export configured with one writes: its
	// manifests name their blobs from the container's root.
	rooted := strings.NewReplacer(`"blobName": "`, `"blobName": "exports/reckon/`, `"rootFolderPath": ""`, `"rootFolderPath": "exports/reckon"`)
	az.uploadTree(t, container, "exports/reckon", exports, rooted.Replace)
	good, listless := az.sas(t, container, sas.ContainerPermissions{Read: true, List: true}), az.sas(t, container, sas.ContainerPermissions{Read: true})

	base, admin, stop := startServe(t, t.TempDir(), []string{"RECKON_T_SAS=" + good, "RECKON_T_NOLIST=" + listless, "RECKON_T_KEY=" + az.key})
	api := newRecorder(base).as(admin)
	carla, dave := api.newUser(t, "carla"), api.newUser(t, "dave")
	api.must(t, "POST", "/api/v1/roleAssignments", map[string]string{"user": "carla", "role": "Contributor", "scope": "mg/root"}, nil)
	api.must(t, "POST", "/api/v1/managementGroups", map[string]string{"id": "azure", "name": "Azure"}, nil)
	asCarla := api.as(carla)

	// Created with the CLI, as a Contributor, who becomes its Owner.
	out, err := reckonAs(t, base, carla, "connector", "create", "--name", "trey", "--kind", "azure-export", "--storage-url", az.url,
		"--container", container, "--prefix", "exports/reckon", "--credential-env", "RECKON_T_SAS", "--default-group", "mg/azure")
	if err != nil || !strings.Contains(out, "Created connectors/trey (azure-export) reading ") {
		t.Fatalf("connector create: %v\n%s", err, out)
	}
	transcript := out
	// An assignment on the source before collection reaches the subscriptions it discovers.
	asCarla.must(t, "POST", "/api/v1/roleAssignments", map[string]string{"user": "dave", "role": "Reader", "scope": "connectors/trey"}, nil)

	var v struct{ Checks []cost.Check }
	asCarla.must(t, "POST", "/api/v1/connectors/trey/verify", nil, &v)
	if len(v.Checks) != 3 || slices.ContainsFunc(v.Checks, func(c cost.Check) bool { return c.Status != "ok" }) {
		t.Errorf("verify: %+v, want three checks ok", v.Checks)
	}
	var res cost.CollectResult
	asCarla.must(t, "POST", "/api/v1/connectors/trey/collect", nil, &res)
	ba, prod, dev := "azure/billingAccounts/8611537", "azure/subscriptions/"+opts.Subscriptions[0].ID, "azure/subscriptions/"+opts.Subscriptions[1].ID
	for _, id := range []string{ba, prod, dev} {
		if !slices.Contains(res.Discovered, cost.ScopeID(id)) {
			t.Errorf("the collection discovered %v, not %s", res.Discovered, id)
		}
	}

	scopes := asCarla.scopes(t)
	if s := scopes[ba]; s.Connector != "connectors/trey" || s.Role != "Owner" || s.Name != "Trey Research" {
		t.Errorf("the billing account: %+v", s)
	}
	for _, id := range []string{prod, dev} {
		if s := scopes[id]; s.Group != "mg/azure" || s.Connector != "connectors/trey" || s.BillingAccount != ba || s.Role != "Owner" {
			t.Errorf("%s: %+v, want it in mg/azure, found by connectors/trey, owned by carla", id, s)
		}
		if got := asCarla.assignments(t, id); !slices.Equal(got, []string{"carla Owner", "dave Reader"}) {
			t.Errorf("%s's assignments: %v, want the creator's and a copy of the source's", id, got)
		}
	}
	daves := api.as(dave).scopes(t)
	if _, ok := daves[ba]; ok || daves[prod].Role != "Reader" {
		t.Errorf("dave reads %v: want the subscriptions, not the billing account", daves)
	}

	micro := func(v int64) decimal.Decimal { return decimal.MustParse(synth.Micro(v)) }
	for _, c := range []struct {
		scope, typ string
		want       int64
	}{
		{ba, "actual", tot.BilledTotal}, {ba, "amortized", tot.EffectiveTotal}, {"mg/azure", "actual", tot.BilledTotal},
		{prod, "actual", tot.Billed[opts.Subscriptions[0].ID]}, {dev, "amortized", tot.Effective[opts.Subscriptions[1].ID]},
	} {
		if got := asCarla.total(t, c.scope, c.typ, "2026-07-01", "2026-09-01"); got.Cmp(micro(c.want)) != 0 {
			t.Errorf("%s %s: %s, want %s", c.scope, c.typ, got, micro(c.want))
		}
	}
	var conn connectorView
	asCarla.must(t, "GET", "/api/v1/connectors/trey", nil, &conn)
	if conn.KindOf() != cost.ConnectorAzureExport || conn.State != cost.StateActive || conn.TrialDaysLeft != 0 || conn.Collection == nil ||
		conn.Collection.Error != nil || conn.Collection.LastUpdated.IsZero() {
		t.Errorf("the source after collecting: %+v %+v", conn.Connector, conn.Collection)
	}
	if status, code := asCarla.call(t, "PATCH", "/api/v1/connectors/trey", map[string]string{"container": "elsewhere"}, nil); status != 400 || code != cost.EInvalid {
		t.Errorf("changing the container: %d %s, want 400 Invalid", status, code)
	}

	// A restated run of August replaces the month; July stays.
	restated := opts
	restated.Seed, restated.Start, restated.Months = 2, aug, 1
	again := t.TempDir()
	tot2, err := synth.WriteAzureExports(again, restated)
	if err != nil {
		t.Fatal(err)
	}
	later := strings.NewReplacer("202609020600", "202609030600", "2026-09-02T06:00:00Z", "2026-09-03T06:00:00Z")
	az.uploadTree(t, container, "exports/reckon", again, func(s string) string { return rooted.Replace(later.Replace(s)) })
	asCarla.must(t, "POST", "/api/v1/connectors/trey/collect", nil, &res)
	if tot2.BilledByMonth[aug] == tot.BilledByMonth[aug] {
		t.Fatal("the restated month has the same total: the test would pass vacuously")
	}
	for _, c := range []struct {
		typ, from, to string
		want          int64
	}{
		{"actual", "2026-07-01", "2026-08-01", tot.BilledByMonth[july]}, {"actual", "2026-08-01", "2026-09-01", tot2.BilledByMonth[aug]},
		{"amortized", "2026-08-01", "2026-09-01", tot2.EffByMonth[aug]},
	} {
		if got := asCarla.total(t, ba, c.typ, c.from, c.to); got.Cmp(micro(c.want)) != 0 {
			t.Errorf("after the restated run, %s from %s: %s, want %s", c.typ, c.from, got, micro(c.want))
		}
	}

	// Failures carry their codes, in the collect's answer and in collectionInfo.
	for _, c := range []struct {
		name, container, env, credType, code, says string
	}{
		{"trey-nolist", container, "RECKON_T_NOLIST", "sas", cost.EAccessDeniedExport, "Storage Blob Data Reader"},
		{"trey-gone", newContainerName(), "RECKON_T_KEY", "key", cost.EExportNotFound, "does not exist"},
		{"trey-unset", container, "RECKON_T_UNSET", "sas", cost.ECredentialNotFound, "RECKON_T_UNSET"},
	} {
		asCarla.must(t, "POST", "/api/v1/connectors", map[string]string{"name": c.name, "kind": "azure-export", "storageUrl": az.url,
			"container": c.container, "prefix": "exports/" + c.name, "credentialEnv": c.env, "credentialType": c.credType}, nil)
		asCarla.must(t, "POST", "/api/v1/connectors/"+c.name+"/verify", nil, &v)
		if !slices.ContainsFunc(v.Checks, func(ch cost.Check) bool { return ch.Status == "error" && ch.Code == c.code }) {
			t.Errorf("verify %s: %+v, want an error %s", c.name, v.Checks, c.code)
		}
		if status, code := asCarla.call(t, "POST", "/api/v1/connectors/"+c.name+"/collect", nil, nil); status != 400 || code != c.code {
			t.Errorf("collect %s: %d %s, want 400 %s", c.name, status, code, c.code)
		}
		asCarla.must(t, "GET", "/api/v1/connectors/"+c.name, nil, &conn)
		if e := conn.Collection; e == nil || e.Error == nil || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.says) {
			t.Errorf("%s's collection info: %+v, want the error %s saying %q", c.name, e, c.code, c.says)
		} else {
			t.Logf("%s: %s: %s", c.name, e.Error.Code, e.Error.Message)
		}
	}
	out, err = reckonAs(t, base, carla, "connector", "list")
	if err != nil || !strings.Contains(out, "azure-export") || !strings.Contains(out, cost.EAccessDeniedExport) {
		t.Errorf("connector list: %v\n%s", err, out)
	}
	transcript += out
	out, _ = reckonAs(t, base, carla, "connector", "show", "trey")
	transcript += out
	stdout, stderr := stop()
	all := api.seen.String() + transcript + stdout + stderr
	for name, secret := range map[string]string{"the SAS token": good, "the list-less SAS token": listless, "the account key": az.key,
		"a SAS signature": good[strings.Index(good, "sig="):]} {
		if strings.Contains(all, secret) {
			t.Errorf("%s appears in an answer, the CLI's output or the server's log", name)
		}
	}
	if !strings.Contains(api.seen.String(), `"credentialEnv": "RECKON_T_SAS"`) {
		t.Error("the scan saw no source: it would pass vacuously")
	}
	t.Logf("collected Trey Research's exports from Azurite through the API: %s EUR billed, a restated August", micro(tot.BilledTotal))
}

// TestAFOCUSSourceThroughTheAPI collects FOCUS files of two providers
// from Azurite through a FOCUS source: each folder is a delivery, the
// billing accounts of both clouds and their accounts become scopes in the
// default group, the totals are the files', and a folder rewritten in
// place replaces its month.
func TestAFOCUSSourceThroughTheAPI(t *testing.T) {
	az := azuriteEnv(t)
	container := newContainerName()
	const sub = "9f8e7d6c-0000-4000-8000-0000000000aa"
	az.upload(t, container, map[string][]byte{
		"focus/BILLING_PERIOD=2026-09/aws.csv":   focusCSV("AWS", "111111111111", "222222222222", 30, "1.25"),
		"focus/BILLING_PERIOD=2026-09/azure.csv": focusCSV("Microsoft", "7654321", sub, 20, "2.5"),
		"focus/readme.txt":                       []byte("not a FOCUS file"),
	})
	env := []string{"RECKON_T_FOCUS=" + az.sas(t, container, sas.ContainerPermissions{Read: true, List: true})}
	base, admin, stop := startServe(t, t.TempDir(), env)
	defer stop()
	api := newRecorder(base).as(admin)
	api.must(t, "POST", "/api/v1/managementGroups", map[string]string{"id": "finops"}, nil)
	api.must(t, "POST", "/api/v1/connectors", map[string]string{"name": "focus", "kind": "focus", "storageUrl": az.url, "container": container,
		"prefix": "focus", "credentialEnv": "RECKON_T_FOCUS", "defaultManagementGroup": "mg/finops"}, nil)
	var v struct{ Checks []cost.Check }
	api.must(t, "POST", "/api/v1/connectors/focus/verify", nil, &v)
	if len(v.Checks) != 3 || slices.ContainsFunc(v.Checks, func(c cost.Check) bool { return c.Status != "ok" }) {
		t.Errorf("verify: %+v, want three checks ok", v.Checks)
	}
	var res cost.CollectResult
	api.must(t, "POST", "/api/v1/connectors/focus/collect", nil, &res)
	scopes := api.scopes(t)
	for _, id := range []string{"aws/accounts/222222222222", "azure/subscriptions/" + sub} {
		if s := scopes[id]; s.Group != "mg/finops" || s.Connector != "connectors/focus" {
			t.Errorf("%s: %+v, want it in mg/finops, found by connectors/focus", id, s)
		}
	}
	for scope, want := range map[string]string{"aws/billing/111111111111": "37.5", "azure/billingAccounts/7654321": "50", "mg/finops": "87.5"} {
		if got := api.total(t, scope, "actual", "2026-09-01", "2026-10-01"); got.Cmp(decimal.MustParse(want)) != 0 {
			t.Errorf("%s: %s, want %s", scope, got, want)
		}
	}
	// The Azure file rewritten in place: the folder is a new version and
	// replaces September, for both of its files.
	az.upload(t, container, map[string][]byte{"focus/BILLING_PERIOD=2026-09/azure.csv": focusCSV("Microsoft", "7654321", sub, 10, "2.5")})
	api.must(t, "POST", "/api/v1/connectors/focus/collect", nil, &res)
	if got := api.total(t, "mg/finops", "actual", "2026-09-01", "2026-10-01"); got.Cmp(decimal.MustParse("62.5")) != 0 {
		t.Errorf("after the restatement: %s, want 62.5 (37.5 + 25)", got)
	}
	t.Logf("collected FOCUS files of AWS and Microsoft from Azurite, and a restated September: %v", res.Summary)
}
