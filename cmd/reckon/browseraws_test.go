package main

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// browserRoleARN is the role of the emulated AWS account the browser
// scenarios create a connector against: a management account apart from
// the demo's payer, so that the connector does not read the same account.
const browserRoleARN = "arn:aws:iam::210987654321:role/reckon-connector"

// startBrowserAWS serves, until the test ends, an emulated AWS account whose
// role trusts Reckon's keys only with an external ID made here and never
// told: a connector created in the browser fails FailedToAssumeRole. It
// returns the environment and flags that point reckon serve at it.
func startBrowserAWS(t *testing.T) (env, flags []string) {
	t.Helper()
	st := emulatedCustomer(t.TempDir(), iampolicy.NewExternalID())
	st.ManagementAccount = "210987654321"
	st.Roles[0].ARN = browserRoleARN
	st.Roles[0].TrustPolicy = json.RawMessage(iampolicy.TrustPolicy(emuReckonAcct, iampolicy.NewExternalID()))
	hs := httptest.NewServer(awsemu.New(st, nil))
	t.Cleanup(hs.Close)
	return slices.Clone(awsTestEnv), []string{"--aws-endpoint", hs.URL}
}

// TestTheBrowsersAWSAccountRefusesAnExternalIDItWasNotGiven holds the
// browser scenarios' AWS account to what the connector scenario expects of
// it, through reckon serve and the API as the page calls them.
func TestTheBrowsersAWSAccountRefusesAnExternalIDItWasNotGiven(t *testing.T) {
	env, flags := startBrowserAWS(t)
	base, admin, stop := startServe(t, t.TempDir(), env, flags...)
	defer stop()
	c := &apiCaller{base: base, token: admin}
	const secret = "an-external-id-the-role-was-not-given"
	c.must(t, "POST", "/api/v1/connectors", map[string]string{"name": "wrong-id", "roleArn": browserRoleARN, "externalId": secret, "reportName": "reckon"})
	var v struct {
		Checks []struct{ Name, Status, Code, Message string }
	}
	if err := c.call("POST", "/api/v1/connectors/wrong-id/verify", nil, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Checks) == 0 || v.Checks[0].Code != "FailedToAssumeRole" || v.Checks[0].Status != "error" {
		t.Fatalf("verify answered %+v, want a first check FailedToAssumeRole", v.Checks)
	}
	var raw json.RawMessage
	if err := c.call("GET", "/api/v1/connectors/wrong-id", nil, &raw); err != nil || strings.Contains(string(raw)+v.Checks[0].Message, secret) {
		t.Errorf("the connector or the check shows the external ID (%v): %s %s", err, raw, v.Checks[0].Message)
	}
}
