package awsemu

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// recorder keeps the last response body of every operation the SDK called.
type recorder struct {
	mu     sync.Mutex
	bodies map[string][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	op := req.Header.Get("X-Amz-Target")
	if op == "" && req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		op = form.Get("Action")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if i := strings.LastIndex(op, "."); i >= 0 {
		op = op[i+1:]
	}
	r.mu.Lock()
	r.bodies[op] = body
	r.mu.Unlock()
	return resp, nil
}

// xmlPaths lists the element paths of an XML document.
func xmlPaths(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	paths := map[string]bool{}
	var stack []string
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return paths
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, doc)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			paths[strings.Join(stack, "/")] = true
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// jsonPaths lists the key paths of a JSON document ([] for array items).
func jsonPaths(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	paths := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				paths[prefix+"/"+k] = true
				walk(prefix+"/"+k, child)
			}
		case []any:
			for _, child := range v {
				walk(prefix+"[]", child)
			}
		}
	}
	walk("", v)
	return paths
}

// snapshot reads the SDK module's recorded response for an operation.
func snapshot(t *testing.T, module, operation string) []byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		t.Skipf("cannot locate %s: %v", module, err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "response_snapshot", operation+".response.snap"))
	if err != nil {
		t.Fatalf("no snapshot: %v", err)
	}
	// Status line, headers, a blank line, then the body.
	_, body, _ := bytes.Cut(data, []byte("\n\n"))
	return body
}

// TestResponsesHaveTheShapeTheSDKRecorded checks every element or key the
// emulator answers with against the response snapshots the SDK modules ship.
func TestResponsesHaveTheShapeTheSDKRecorded(t *testing.T) {
	rec := &recorder{bodies: map[string][]byte{}}
	st := scenario(t)
	// The connector does not list roles; the emulator serves it for others.
	st.Roles[0].Policies = append(st.Roles[0].Policies, Policy{ARN: "arn:aws:iam::" + payer + ":policy/list-roles", Name: "list-roles",
		Document: json.RawMessage(`{"Statement":{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}}`)})
	cfg, _ := connectWith(t, st, externalID, &http.Client{Transport: rec})
	ctx := context.Background()
	stsClient := sts.NewFromConfig(cfg)
	if _, err := stsClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	orgs := organizations.NewFromConfig(cfg)
	if _, err := orgs.ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil {
		t.Fatal(err)
	}
	ic := iam.NewFromConfig(cfg)
	if _, err := ic.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	}
	pols, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("reckon-connector")})
	if err != nil {
		t.Fatal(err)
	}
	arn := pols.AttachedPolicies[0].PolicyArn
	if _, err := ic.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ module, op string }{
		{"github.com/aws/aws-sdk-go-v2/service/sts", "AssumeRole"},
		{"github.com/aws/aws-sdk-go-v2/service/sts", "GetCallerIdentity"},
		{"github.com/aws/aws-sdk-go-v2/service/organizations", "ListAccounts"},
		{"github.com/aws/aws-sdk-go-v2/service/iam", "ListRoles"},
		{"github.com/aws/aws-sdk-go-v2/service/iam", "ListAttachedRolePolicies"},
		{"github.com/aws/aws-sdk-go-v2/service/iam", "ListPolicyVersions"},
		{"github.com/aws/aws-sdk-go-v2/service/iam", "GetPolicyVersion"},
	} {
		t.Run(tc.op, func(t *testing.T) {
			ours, ok := rec.bodies[tc.op]
			if !ok {
				t.Fatalf("the SDK did not call %s", tc.op)
			}
			want := snapshot(t, tc.module, tc.op)
			var got, allowed map[string]bool
			if bytes.HasPrefix(bytes.TrimSpace(want), []byte("{")) {
				got, allowed = jsonPaths(t, ours), jsonPaths(t, want)
			} else {
				got, allowed = xmlPaths(t, ours), xmlPaths(t, want)
			}
			var stray []string
			for p := range got {
				if !allowed[p] && !strings.Contains(p, "ResponseMetadata") {
					stray = append(stray, p)
				}
			}
			sort.Strings(stray)
			if len(stray) > 0 {
				t.Errorf("elements the SDK's snapshot does not have: %v\nours: %s", stray, ours)
			}
		})
	}
}
