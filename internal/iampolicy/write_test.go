package iampolicy

import (
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended):\n%s", path, got)
	}
}

func TestPermissionsPolicyMatchesGolden(t *testing.T) {
	golden(t, "permissions-policy.golden.json", Target{Bucket: "reckon-cur", Prefix: "cur",
		RoleARN: "arn:aws:iam::123456789012:role/reckon-connector", PolicyARNs: []string{"arn:aws:iam::123456789012:policy/reckon-connector"}}.PermissionsPolicy())
}

func TestPermissionsPolicyWithPlaceholdersMatchesGolden(t *testing.T) {
	golden(t, "permissions-policy-placeholders.golden.json", PermissionsPolicy("reckon-cur", "cur"))
}

func TestTrustPolicyMatchesGolden(t *testing.T) {
	golden(t, "trust-policy.golden.json", TrustPolicy("123456789012", "ExampleExternalId0123456789"))
}

func TestTrustPolicyNeverAsksForMFA(t *testing.T) {
	text := TrustPolicy(trustedAccount, testExternalID)
	if strings.Contains(strings.ToLower(text), "multifactor") {
		t.Errorf("the trust policy mentions MFA:\n%s", text)
	}
}

func TestDocumentRoundTrip(t *testing.T) {
	for _, tc := range []struct{ name, doc string }{
		{"the generated permissions policy", PermissionsPolicy("reckon-cur", "cur")},
		{"the generated trust policy", TrustPolicy(trustedAccount, testExternalID)},
		{"a URL-encoded managed policy", readTestdata(t, "managed-policy-urlencoded.txt")},
		{"a policy with every element", `{"Version":"2008-10-17","Id":"x","Statement":[
			{"Sid":"a","Effect":"Deny","NotPrincipal":{"AWS":["1","2"],"Service":"s"},"NotAction":"iam:*","NotResource":["arn:a","arn:b"],
			 "Condition":{"Bool":{"aws:SecureTransport":false},"StringLike":{"s3:prefix":["<&>"]}}},
			{"Effect":"Allow","Principal":"*","Action":["sts:AssumeRole"]}]}`},
	} {
		t.Run(tc.name+" reads back equal from its indented, compact and URL-encoded forms", func(t *testing.T) {
			d := mustParse(t, tc.doc)
			compact, err := d.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			// json.Marshal calls MarshalJSON, then escapes <, > and & again.
			viaMarshal, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range []string{d.String(), string(compact), string(viaMarshal), url.PathEscape(d.String())} {
				if again := mustParse(t, form); !reflect.DeepEqual(again, d) {
					t.Errorf("read back\n%#v\nwant\n%#v\nfrom\n%s", again, d, form)
				}
			}
			if strings.Contains(string(compact)+d.String(), `\u003c`) {
				t.Errorf("the JSON escapes HTML characters, which IAM policies do not need: %s", compact)
			}
		})
	}
}
