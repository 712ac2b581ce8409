package iampolicy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustParse(t testing.TB, doc string) *Document {
	t.Helper()
	d, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return d
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		want *Document
	}{
		{
			name: "a statement given as one object is read as a list of one",
			doc:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"]}}`,
			want: &Document{Version: "2012-10-17", Statements: []Statement{
				{Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/*"}},
			}},
		},
		{
			name: "an action and a resource given as strings become lists of one",
			doc:  `{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"One","Effect":"Allow","Action":"ce:GetCostAndUsage","Resource":"*"}]}`,
			want: &Document{Version: "2012-10-17", ID: "p1", Statements: []Statement{
				{Sid: "One", Effect: Allow, Actions: []string{"ce:GetCostAndUsage"}, Resources: []string{"*"}},
			}},
		},
		{
			name: "a managed policy URL-encoded as GetPolicyVersion returns it is decoded",
			doc:  readTestdata(t, "managed-policy-urlencoded.txt"),
			want: &Document{Version: "2012-10-17", Statements: []Statement{
				{Sid: "ReadReports", Effect: Allow, Actions: []string{"s3:Get*", "s3:ListBucket"},
					Resources: []string{"arn:aws:s3:::reckon-cur", "arn:aws:s3:::reckon-cur/cur/*"}},
				{Effect: Allow, Actions: []string{"ce:GetCostAndUsage"}, Resources: []string{"*"}},
			}},
		},
		{
			name: "a compact URL-encoded trust policy with an empty Sid keeps its plus signs",
			doc:  readTestdata(t, "trust-policy-urlencoded.txt"),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect:     Allow,
				Principal:  map[string][]string{"AWS": {"arn:aws:iam::123456789012:root"}},
				Actions:    []string{"sts:AssumeRole"},
				Conditions: map[string]map[string][]string{"StringEquals": {"sts:ExternalId": {"Example+External=Id.0123456789"}}},
			}}},
		},
		{
			name: "a lowercase URL-encoded brace is decoded too",
			doc:  `%7b%22Statement%22%3a%7b%22Effect%22%3a%22Deny%22%2c%22Action%22%3a%22*%22%2c%22Resource%22%3a%22*%22%7d%7d`,
			want: &Document{Statements: []Statement{{Effect: Deny, Actions: []string{"*"}, Resources: []string{"*"}}}},
		},
		{
			name: "NotAction and NotResource are kept apart from Action and Resource",
			doc:  `{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"NotResource":"arn:aws:s3:::secret/*"}]}`,
			want: &Document{Statements: []Statement{
				{Effect: Allow, NotActions: []string{"iam:*", "organizations:*"}, NotResources: []string{"arn:aws:s3:::secret/*"}},
			}},
		},
		{
			name: "condition values that are booleans and numbers become their JSON text",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*",
				"Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":[10, 2.5e1]},"StringLike":{"s3:prefix":["a/*","b/*"]}}}]}`,
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Effect: Deny, Actions: []string{"s3:*"}, Resources: []string{"*"},
				Conditions: map[string]map[string][]string{
					"Bool":            {"aws:SecureTransport": {"false"}},
					"NumericLessThan": {"s3:max-keys": {"10", "2.5e1"}},
					"StringLike":      {"s3:prefix": {"a/*", "b/*"}},
				},
			}}},
		},
		{
			name: `a Principal of "*" is read as {"*": ["*"]}`,
			doc:  `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`,
			want: &Document{Statements: []Statement{
				{Effect: Allow, Principal: map[string][]string{"*": {"*"}}, Actions: []string{"sts:AssumeRole"}},
			}},
		},
		{
			name: "a principal object may mix strings and arrays",
			doc: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::210987654321:root"],"Service":"ec2.amazonaws.com"},
				"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
			want: &Document{Statements: []Statement{{
				Effect:    Allow,
				Principal: map[string][]string{"AWS": {"123456789012", "arn:aws:iam::210987654321:root"}, "Service": {"ec2.amazonaws.com"}},
				Actions:   []string{"sts:AssumeRole", "sts:TagSession"},
			}}},
		},
		{
			name: "a NotPrincipal, an old Version and null optional elements are accepted",
			doc:  `{"Version":"2008-10-17","Id":null,"Statement":[{"Sid":null,"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*","Condition":{}}]}`,
			want: &Document{Version: "2008-10-17", Statements: []Statement{
				{Effect: Deny, NotPrincipal: map[string][]string{"AWS": {"123456789012"}}, Actions: []string{"*"}, Resources: []string{"*"}},
			}},
		},
		{
			name: "surrounding white space is ignored in both forms",
			doc:  "\n  %7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D \n",
			want: &Document{Statements: []Statement{{Effect: Allow, Actions: []string{"*"}, Resources: []string{"*"}}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustParse(t, tc.doc)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestParseRejectsMalformedDocuments(t *testing.T) {
	stmt := func(body string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{` + body + `}]}`
	}
	for _, tc := range []struct {
		name      string
		doc       string
		statement int
		want      string
	}{
		{"an empty document says it is empty", "  ", 0, "the policy document is empty"},
		{"text that is neither JSON nor URL-encoded says where JSON broke", "hello", 0, "invalid JSON at byte 1"},
		{"a broken %-escape says the document is not URL-encoded JSON", "%7B%ZZ", 0, "neither JSON nor URL-encoded JSON"},
		{"truncated JSON says the JSON is invalid", `{"Version":"2012-10-17","Statement":[`, 0, "invalid JSON"},
		{"a top-level array says a document must be an object", `[{"Effect":"Allow"}]`, 0, "the policy document must be a JSON object"},
		{"an unknown Version names the allowed ones", `{"Version":"2012-10-18","Statement":[]}`, 0, `Version must be "2012-10-17" or "2008-10-17", got "2012-10-18"`},
		{"a document without Statement says so", `{"Version":"2012-10-17"}`, 0, "has no Statement"},
		{"an empty Statement array says so", `{"Statement":[]}`, 0, "Statement is an empty array"},
		{"a Statement that is a string says what it must be", `{"Statement":"Allow"}`, 0, "Statement must be an object or an array of objects"},
		{"a misspelt top-level element is named", `{"Version":"2012-10-17","Statements":[]}`, 0, `unknown element "Statements"`},
		{"a lowercase Effect says IAM is case-sensitive", stmt(`"Effect":"allow","Action":"s3:GetObject","Resource":"*"`), 2,
			`Effect must be "Allow" or "Deny" (IAM compares it case-sensitively), got "allow"`},
		{"an unknown Effect is quoted", stmt(`"Effect":"Permit","Action":"s3:GetObject","Resource":"*"`), 2, `Effect must be "Allow" or "Deny", got "Permit"`},
		{"a missing Effect says so", stmt(`"Action":"s3:GetObject","Resource":"*"`), 2, "Effect is missing"},
		{"a lowercase element name is named", stmt(`"effect":"Allow","Action":"s3:GetObject","Resource":"*"`), 2, `unknown element "effect"`},
		{"a misspelt Actions is named", stmt(`"Effect":"Allow","Actions":"s3:GetObject","Resource":"*"`), 2, `unknown element "Actions"`},
		{"both Action and NotAction are refused", stmt(`"Effect":"Allow","Action":"s3:GetObject","NotAction":"iam:*","Resource":"*"`), 2, "both Action and NotAction"},
		{"a statement without Action or NotAction says so", stmt(`"Effect":"Allow","Resource":"*"`), 2, "needs an Action or a NotAction"},
		{"an Action that is a number says what it must be", stmt(`"Effect":"Allow","Action":7,"Resource":"*"`), 2, "Action must be a string or an array of strings"},
		{"an empty Action array says so", stmt(`"Effect":"Allow","Action":[],"Resource":"*"`), 2, "Action is an empty array"},
		{"an action without a service prefix shows the right form", stmt(`"Effect":"Allow","Action":"GetObject","Resource":"*"`), 2, `Action "GetObject" must be "*" or service:action`},
		{"a resource that is not an ARN shows the right form", stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"my-bucket"`), 2, `Resource "my-bucket" must be "*" or an ARN`},
		{"both Resource and NotResource are refused", stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"*","NotResource":"*"`), 2, "both Resource and NotResource"},
		{"a principal ARN given as a bare string shows the object form", stmt(`"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"sts:AssumeRole"`), 2,
			`Principal must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}`},
		{"an empty Principal object says so", stmt(`"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"`), 2, "Principal is an empty object"},
		{"both Principal and NotPrincipal are refused", stmt(`"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"1"},"Action":"*"`), 2, "both Principal and NotPrincipal"},
		{"a statement that is not an object says so", `{"Statement":[7]}`, 1, "a statement must be a JSON object"},
		{"a Condition that is a list shows the object form", stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":["x"]`), 2, "Condition must be an object"},
		{"a Condition that is a string shows the object form", stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":"x"`), 2, "Condition must be an object"},
		{"a condition value that is an object names the operator and key", stmt(`"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":{"v":"SecretValue42"}}}`), 2,
			"Condition StringEquals sts:ExternalId: values must be strings, numbers or booleans"},
		{"an empty list of condition values says so", stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":[]}}`), 2,
			"Condition StringLike s3:prefix: the list of values is empty"},
		{"a condition operator without keys says so", stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{}}`), 2, `Condition operator "Bool" has no condition keys`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.doc)
			if err == nil {
				t.Fatalf("Parse accepted it: %#v", d)
			}
			pe, ok := errors.AsType[*ParseError](err)
			if !ok {
				t.Fatalf("error is %T, want *ParseError: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if tc.statement > 0 && pe.Statement != tc.statement {
				t.Errorf("error names statement %d, want %d: %v", pe.Statement, tc.statement, err)
			}
			if tc.statement > 0 && !strings.HasPrefix(err.Error(), "statement ") {
				t.Errorf("error %q does not start with the statement", err)
			}
			if strings.Contains(err.Error(), "SecretValue42") {
				t.Errorf("error %q repeats a condition value", err)
			}
		})
	}
}
