package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/iampolicy"
	"github.com/reckon-finops/reckon/internal/synth"
)

// connectorAWS is reckon serve beside an emulated customer with two months
// of CUR, a collected connector "acme", and a user rita who reads it.
type connectorAWS struct {
	admin, rita *apiCaller
	ext         string
}

func newConnectorAWS(t *testing.T) *connectorAWS {
	t.Helper()
	const ext = "Qx4Lm9Vb2Nc7Rt5Kw8Zp1Hs6Jd3Gf0Ya"
	bucket := t.TempDir()
	if _, err := synth.WriteBucket(bucket, synth.Options{Seed: 5, Months: 2, RowsPerMonth: 300, ReportName: "reckon", Prefix: "cur"}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(awsemu.New(emulatorState(bucket, ext), nil))
	t.Cleanup(hs.Close)
	base, token, stop := startServe(t, t.TempDir(), awsTestEnv, "--aws-endpoint", hs.URL)
	t.Cleanup(func() { stop() })
	admin := &apiCaller{base: base, token: token}
	admin.must(t, "POST", "/api/v1/connectors", map[string]string{"name": "acme", "roleArn": testRoleARN, "externalId": ext, "reportName": "reckon"})
	admin.must(t, "POST", "/api/v1/connectors/acme/collect", nil)
	admin.must(t, "POST", "/api/v1/users", map[string]string{"name": "rita"})
	admin.must(t, "POST", "/api/v1/roleAssignments", map[string]string{"user": "rita", "role": "Reader", "scope": "connectors/acme"})
	var created struct{ Token string }
	if err := admin.call("POST", "/api/v1/users/rita/tokens", nil, &created); err != nil {
		t.Fatal(err)
	}
	return &connectorAWS{admin: admin, rita: &apiCaller{base: base, token: created.Token}, ext: ext}
}

func TestTheSetupPolicyOfAConnectorIsSetupPolicysWithoutItsExternalID(t *testing.T) {
	e := newConnectorAWS(t)
	var raw json.RawMessage
	path := "/api/v1/connectors/acme/setupPolicy?bucket=billing&prefix=cur&trustedAccount=111122223333"
	if err := e.rita.call("GET", path, nil, &raw); err != nil {
		t.Fatalf("a Reader of the connector: %v", err)
	}
	if strings.Contains(string(raw), e.ext) {
		t.Fatalf("the answer shows the external ID: %s", raw)
	}
	var got struct {
		RoleARN, PolicyARN, TrustedAccount string
		PermissionsPolicy, TrustPolicy     json.RawMessage
		Commands                           []string
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	policyARN := "arn:aws:iam::" + testPayer + ":policy/reckon-connector"
	want := iampolicy.Target{Bucket: "billing", Prefix: "cur", RoleARN: testRoleARN, PolicyARNs: []string{policyARN}}.PermissionsPolicy()
	if !jsonEqual(t, got.PermissionsPolicy, want) {
		t.Errorf("the permissions policy is\n%s\nwant setup-policy's\n%s", got.PermissionsPolicy, want)
	}
	if !jsonEqual(t, got.TrustPolicy, iampolicy.TrustPolicy("111122223333", "<EXTERNAL_ID>")) {
		t.Errorf("the trust policy is %s", got.TrustPolicy)
	}
	if got.RoleARN != testRoleARN || got.PolicyARN != policyARN || len(got.Commands) != 3 ||
		got.Commands[1] != "aws iam create-role --role-name reckon-connector --assume-role-policy-document file://trust.json" {
		t.Errorf("the role, policy and commands: %+v", got)
	}

	for _, tc := range []struct{ name, path, code, says string }{
		{"without a bucket", "/api/v1/connectors/acme/setupPolicy", cost.EInvalid, "?bucket="},
		{"with a bucket that is no S3 name", "/api/v1/connectors/acme/setupPolicy?bucket=a%20b", cost.EInvalid, "not an S3 bucket name"},
		{"with a trusted account that is no account", "/api/v1/connectors/acme/setupPolicy?bucket=billing&trustedAccount=12", cost.EInvalid, "12 digits"},
		{"for a connector that does not exist", "/api/v1/connectors/nothing/setupPolicy?bucket=billing", "", ""},
	} {
		t.Run("it is refused in words "+tc.name, func(t *testing.T) {
			err := e.rita.call("GET", tc.path, nil, nil)
			if err == nil || (tc.code != "" && (cost.ErrorCode(err) != tc.code || !strings.Contains(cost.ErrorMessage(err), tc.says))) {
				t.Errorf("%v, want %s saying %q", err, tc.code, tc.says)
			}
		})
	}
	if err := (&apiCaller{base: e.admin.base, token: "rkn_0000000000000000_" + strings.Repeat("0", 64)}).call("GET", path, nil, nil); cost.ErrorCode(err) != cost.EUnauthenticated {
		t.Errorf("without a valid token: %v", err)
	}
}

func jsonEqual(t *testing.T, a json.RawMessage, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}

func TestAConnectorReconcilesWithCostExplorerForAContributorOnly(t *testing.T) {
	e := newConnectorAWS(t)
	var got struct {
		Metric, ReckonCost string
		Match              bool
		Rows               []struct {
			Month, Account   string
			Reckon, Provider json.Number
			Match            bool
		}
	}
	if err := e.admin.call("POST", "/api/v1/connectors/acme/reconcile", nil, &got); err != nil {
		t.Fatal(err)
	}
	if got.Metric != "UnblendedCost" || got.ReckonCost != "x_UnblendedCost" || !got.Match || len(got.Rows) < 2 {
		t.Fatalf("reconcile answered %+v, want matching rows of UnblendedCost", got)
	}
	months := map[string]bool{}
	for _, r := range got.Rows {
		months[r.Month] = true
		reckon, err1 := decimal.Parse(r.Reckon.String())
		provider, err2 := decimal.Parse(r.Provider.String())
		if err1 != nil || err2 != nil || !r.Match || reckon.Sub(provider).Abs().Cmp(cost.HalfCent) >= 0 || reckon.IsZero() {
			t.Errorf("%s %s: Reckon %s, Cost Explorer %s", r.Month, r.Account, r.Reckon, r.Provider)
		}
	}
	if len(months) != 2 {
		t.Errorf("the rows cover %d months, want the 2 collected", len(months))
	}
	if err := e.admin.call("POST", "/api/v1/connectors/acme/reconcile?metric=Blended", nil, nil); cost.ErrorCode(err) != cost.EInvalid {
		t.Errorf("an unknown metric: %v", err)
	}
	e.admin.must(t, "POST", "/api/v1/connectors", map[string]string{"name": "later", "roleArn": browserRoleARN, "externalId": e.ext, "reportName": "reckon"})
	var none struct {
		Match bool
		Rows  []json.RawMessage
	}
	if err := e.admin.call("POST", "/api/v1/connectors/later/reconcile", nil, &none); err != nil || !none.Match || none.Rows == nil || len(none.Rows) != 0 {
		t.Errorf("a connector not collected yet: %+v, %v; want no rows", none, err)
	}
	// A Reader may read the connector, but each Cost Explorer request is charged.
	if err := e.rita.call("POST", "/api/v1/connectors/acme/reconcile", nil, nil); cost.ErrorCode(err) != cost.EForbidden {
		t.Errorf("a Reader of the connector reconciled: %v, want Forbidden", err)
	}
}
