package iampolicy

import (
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

const (
	trustedAccount = "123456789012"
	testExternalID = "kT3vQ9zLr2Wm8XpB4nY6cJ0dF5hG7sA1eU"
	wrongID        = "WrongExternalId0123456789"
)

// trustDoc is a trust policy with the given statements, in which EXT
// stands for the connector's external ID.
func trustDoc(stmts ...string) string {
	return strings.ReplaceAll(`{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`, "EXT", testExternalID)
}

const (
	goodTrust = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXT"}}}`
	denyAll   = `{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:*"}`
)

func TestTrustProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string   // "" for no document
		want []string // what the problems say, one each, in order
	}{
		{"the generated trust policy has no problems", TrustPolicy(trustedAccount, testExternalID), nil},
		{"the account's root ARN with the external ID is fine", trustDoc(goodTrust), nil},
		{"the bare account ID is fine", trustDoc(`{"Effect":"Allow","Principal":{"AWS":["111111111111","123456789012"]},"Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"sts:ExternalId":"EXT"}}}`), nil},
		{"a root ARN in another partition is fine", trustDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXT"}}}`), nil},
		{"a wildcard action covering sts:AssumeRole is fine", trustDoc(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:*","Condition":{"StringEquals":{"STS:externalid":["other-vendor-id","EXT"]}}}`), nil},
		{"a Deny guard that refuses every other external ID is fine", trustDoc(goodTrust, `{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"sts:ExternalId":"EXT"}}}`), nil},
		{"one good statement is enough when another has an old external ID",
			trustDoc(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"`+wrongID+`"}}}`, goodTrust), nil},
		{"no trust policy asks for the statement", "", []string{`does not let account 123456789012 assume the role: add a statement with "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}`}},
		{"another account asks for the right one",
			trustDoc(strings.Replace(goodTrust, "123456789012", "210987654321", 1)), []string{"does not let account 123456789012 assume the role"}},
		{"a service principal is not the account",
			trustDoc(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), []string{"does not let account 123456789012 assume the role"}},
		{"a role of the account asks for the account itself",
			trustDoc(strings.Replace(goodTrust, ":root", ":role/reckon", 1)), []string{"does not let account", `trusts a single principal of account 123456789012, but Reckon assumes the role as the account: use "Principal": {"AWS": "arn:aws:iam::123456789012:root"}`}},
		{"a wrong external ID asks for the connector's",
			trustDoc(strings.Replace(goodTrust, "EXT", wrongID, 1)), []string{`Statement 1 requires a different external ID from this connector's`}},
		{"an absent external ID is a problem",
			trustDoc(`{"Sid":"Open","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}`),
			[]string{`Statement 1 ("Open") lets account 123456789012 assume the role without the external ID: add "Condition": {"StringEquals": {"sts:ExternalId": "<the connector's external ID>"}}`}},
		{"an open statement beside a good one is still a problem",
			trustDoc(goodTrust, `{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}`), []string{"Statement 2 lets account 123456789012 assume the role without the external ID"}},
		{"StringEqualsIfExists does not require the external ID",
			trustDoc(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"sts:ExternalId":"EXT"}}}`),
			[]string{`Statement 1 checks sts:ExternalId with StringEqualsIfExists, which does not require exactly the connector's external ID: use "StringEquals"`}},
		{"StringLike does not require exactly the external ID",
			trustDoc(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"*"}}}`),
			[]string{"checks sts:ExternalId with StringLike"}},
		{"an MFA condition is a problem",
			trustDoc(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXT"},"Bool":{"aws:MultiFactorAuthPresent":true}}}`),
			[]string{"Statement 1 requires MFA (Bool aws:MultiFactorAuthPresent), which Reckon cannot provide"}},
		{"an MFA age condition in any case is a problem",
			trustDoc(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXT"},"NumericLessThan":{"AWS:multifactorauthage":3600}}}`),
			[]string{"requires MFA (NumericLessThan AWS:multifactorauthage)"}},
		{"a Deny without MFA is a problem",
			trustDoc(goodTrust, `{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`),
			[]string{"Statement 2 denies sts:AssumeRole depending on MFA (BoolIfExists aws:MultiFactorAuthPresent)"}},
		{"a Deny of everyone is a problem", trustDoc(goodTrust, denyAll), []string{"Statement 2 denies sts:AssumeRole to account 123456789012: remove it"}},
		{"a Deny of everyone but the account is fine",
			trustDoc(goodTrust, `{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}`), nil},
		{"a Deny guard that does not list the connector's external ID is a problem",
			trustDoc(goodTrust, `{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"sts:ExternalId":"`+wrongID+`"}}}`),
			[]string{"Statement 2 denies sts:AssumeRole to every external ID it does not list, and the connector's is not listed"}},
		{"a Deny under other conditions asks to check them",
			trustDoc(goodTrust, `{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`),
			[]string{"Statement 2 denies sts:AssumeRole under conditions Reckon cannot check"}},
		{"a wildcard principal is a problem even with the external ID",
			trustDoc(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXT"}}}`),
			[]string{`Statement 1 lets any AWS account assume the role (Principal "*"): name only account 123456789012`}},
		{"an Allow with NotPrincipal is a problem",
			trustDoc(goodTrust, `{"Effect":"Allow","NotPrincipal":{"AWS":"210987654321"},"Action":"sts:AssumeRole"}`), []string{"Statement 2 allows sts:AssumeRole with NotPrincipal"}},
		{"other conditions are named but not their values",
			trustDoc(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"EXT","aws:PrincipalTag/team":"finops"}}}`),
			[]string{"Statement 1 has conditions Reckon cannot check (StringEquals aws:PrincipalTag/team)"}},
		{"a Sid that holds the external ID is not shown",
			trustDoc(`{"Sid":"forEXT","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}`), []string{"Statement 1 lets account"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d *Document
			if tc.doc != "" {
				d = mustParse(t, tc.doc)
			}
			got := TrustProblems(d, trustedAccount, testExternalID)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, msg := range got {
				if !strings.Contains(msg, tc.want[i]) {
					t.Errorf("problem %d is %q\nwant it to say %q", i+1, msg, tc.want[i])
				}
				if strings.Contains(msg, testExternalID) || strings.Contains(msg, wrongID) || strings.Contains(msg, "finops") {
					t.Errorf("problem %d gives away a condition value: %q", i+1, msg)
				}
			}
		})
	}
}

func TestTrustProblemsWithoutAnExternalID(t *testing.T) {
	d := mustParse(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":""}}}}`)
	if got := TrustProblems(d, trustedAccount, ""); len(got) == 0 {
		t.Error("an empty external ID was accepted as matching")
	}
}

func TestExternalID(t *testing.T) {
	t.Run("a new external ID is long, random and made of letters and digits", func(t *testing.T) {
		seen := map[string]bool{}
		for range 100 {
			id := NewExternalID()
			if len(id) < 32 {
				t.Errorf("external ID of %d characters, want at least 32", len(id))
			}
			if strings.Trim(id, externalIDAlphabet) != "" {
				t.Errorf("external ID %q has characters outside [A-Za-z0-9]", id)
			}
			if err := ValidExternalID(id); err != nil {
				t.Errorf("a new external ID is not valid: %v", err)
			}
			if seen[id] {
				t.Fatalf("external ID %q came twice", id)
			}
			seen[id] = true
		}
	})
	for _, tc := range []struct {
		name, id string
		want     string // "" when valid
	}{
		{"two characters are enough", "ab", ""},
		{"every allowed punctuation mark is accepted", "a_b+c=d,e.f@g:h/i-j", ""},
		{"1224 characters are accepted", strings.Repeat("x", 1224), ""},
		{"one character is too short", "Q", "must be 2 to 1224 characters long; this one has 1"},
		{"1225 characters are too long", strings.Repeat("y", 1225), "this one has 1225"},
		{"a space is refused by position", "Secret Value", "character 7 is not one of them"},
		{"a non-ASCII letter is refused", "Secretvalé", "character 10 is not one of them"},
		{"a quote is refused", `Secret"Value`, "may hold only letters, digits and _+=,.@:/-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidExternalID(tc.id)
			if tc.want == "" {
				if err != nil {
					t.Errorf("ValidExternalID: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if code := cost.ErrorCode(err); code != cost.EInvalid {
				t.Errorf("error code %q, want %q", code, cost.EInvalid)
			}
			if strings.Contains(err.Error(), "Secret") || strings.Contains(err.Error(), "yyyy") {
				t.Errorf("error %q repeats the external ID", err)
			}
		})
	}
}
