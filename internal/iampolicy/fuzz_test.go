package iampolicy

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to Parse: it must never panic; every error
// must be a *ParseError; every document it accepts must read back equal
// from its own JSON and URL-encoded forms, and Allowed, Audit and
// TrustProblems must run on it without panicking or giving away the
// external ID.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		PermissionsPolicy("reckon-cur", "cur"),
		testTarget.PermissionsPolicy(),
		TrustPolicy(trustedAccount, "ExampleExternalId0123456789"),
		trustDoc(goodTrust, denyAll),
		`{"Statement":{"Effect":"Allow","NotAction":"iam:*","NotResource":["arn:aws:s3:::x/*"],"Principal":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true},"NumericLessThan":{"aws:MultiFactorAuthAge":[1,2e3]}}}}`,
		`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["1"]},"Action":["s3:Get?bj*"],"Resource":"arn:*:s3:::*?*"}]}`,
		`%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\u00e9*\ufffd"}]}`,
		`{"Statement":{"Effect":"allow"}}`, `[]`, `%`, `null`, `{"Statement":null}`, "{\"Statement\":{\"Sid\":\"\xff\"}}",
	} {
		f.Add(s)
	}
	const secret = "FuzzExternalId9f8e7d6c5b4a"
	f.Fuzz(func(t *testing.T, text string) {
		d, err := Parse(text)
		if err != nil {
			if _, ok := errors.AsType[*ParseError](err); !ok {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		for _, form := range []string{d.String(), url.PathEscape(d.String())} {
			again, err := Parse(form)
			if err != nil {
				t.Fatalf("its own JSON does not parse: %v\n%s", err, form)
			}
			if !reflect.DeepEqual(again, d) {
				t.Fatalf("read back\n%#v\nwant\n%#v\nfrom\n%s", again, d, form)
			}
		}
		docs := []*Document{d, nil}
		for _, r := range Required("reckon-cur", "cur") {
			Allowed(docs, r.Action, strings.ReplaceAll(r.Resource, "*", "x"))
		}
		Allowed(docs, "", "")
		for _, f := range append(Audit(docs, "reckon-cur", "cur"), testTarget.Audit(docs)...) {
			if f.Message == "" || f.Code == "" || f.Severity != SeverityError && f.Severity != SeverityWarning {
				t.Fatalf("incomplete finding %+v", f)
			}
		}
		if strings.Contains(text, secret) {
			return
		}
		for _, msg := range TrustProblems(d, trustedAccount, secret) {
			if strings.Contains(msg, secret) {
				t.Fatalf("trust problem gives away the external ID: %q", msg)
			}
		}
	})
}
