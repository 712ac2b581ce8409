package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// azurite is Azurite's blob endpoint and development account, from the
// environment .ci/run sets (RECKON_AZURITE_BLOB, RECKON_AZURITE_ACCOUNT,
// RECKON_AZURITE_KEY). Without them the test skips, unless
// RECKON_REQUIRE_AZURITE is set.
type azurite struct{ url, account, key string }

func azuriteEnv(t *testing.T) azurite {
	a := azurite{url: os.Getenv("RECKON_AZURITE_BLOB"), account: os.Getenv("RECKON_AZURITE_ACCOUNT"), key: os.Getenv("RECKON_AZURITE_KEY")}
	if a.url == "" || a.account == "" || a.key == "" {
		if os.Getenv("RECKON_REQUIRE_AZURITE") != "" {
			t.Fatal("RECKON_REQUIRE_AZURITE is set but RECKON_AZURITE_BLOB, RECKON_AZURITE_ACCOUNT or RECKON_AZURITE_KEY is not: start Azurite as .ci/run does")
		}
		t.Skip("no Azurite: set RECKON_AZURITE_BLOB, RECKON_AZURITE_ACCOUNT and RECKON_AZURITE_KEY (.ci/run does)")
	}
	return a
}

func (a azurite) client(t *testing.T) *azblob.Client {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(a.account, a.key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(a.url, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// uploadTree puts every file under root into the container, under prefix,
// with the SDK, as Cost Management would; the container is created if new.
func (a azurite) uploadTree(t *testing.T, container, prefix, root string, rename func(string) string) {
	t.Helper()
	blobs := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, filepath.ToSlash(rel))
		if rename != nil {
			name, data = rename(name), []byte(rename(string(data)))
		}
		blobs[name] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a.upload(t, container, blobs)
}

func (a azurite) upload(t *testing.T, container string, blobs map[string][]byte) {
	t.Helper()
	c, ctx := a.client(t), context.Background()
	if _, err := c.CreateContainer(ctx, container, nil); err != nil && !strings.Contains(err.Error(), "ContainerAlreadyExists") {
		t.Fatal(err)
	}
	for name, data := range blobs {
		if _, err := c.UploadBuffer(ctx, container, name, data, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// sas signs a container SAS with the permissions given.
func (a azurite) sas(t *testing.T, container string, perms sas.ContainerPermissions) string {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(a.account, a.key)
	if err != nil {
		t.Fatal(err)
	}
	q, err := sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		Permissions: perms.String(), ContainerName: container}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	return q.Encode()
}

func newContainerName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "reckon-" + hex.EncodeToString(b)
}

// recorder calls the API as one user and keeps every answer, so that a
// test can look for secrets in all of them.
type recorder struct {
	base  string
	seen  *strings.Builder
	mu    *sync.Mutex
	token string
}

func newRecorder(base string) *recorder {
	return &recorder{base: base, seen: &strings.Builder{}, mu: &sync.Mutex{}}
}

// as is the recorder calling with another user's token.
func (r *recorder) as(token string) *recorder {
	c := *r
	c.token = token
	return &c
}

// call sends body as JSON and decodes the answer into out; it returns the
// status and, for an error, its code.
func (r *recorder) call(t *testing.T, method, p string, body, out any) (int, string) {
	t.Helper()
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.base+p, in)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	r.seen.Write(raw)
	r.seen.WriteByte('\n')
	r.mu.Unlock()
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(raw, &e)
		return resp.StatusCode, e.Error.Code
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, p, err, raw)
		}
	}
	return resp.StatusCode, ""
}

// must calls and fails the test on an error answer.
func (r *recorder) must(t *testing.T, method, p string, body, out any) {
	t.Helper()
	if status, code := r.call(t, method, p, body, out); status >= 300 {
		t.Fatalf("%s %s: %d %s", method, p, status, code)
	}
}

// total is a scope's cost of the type in [from, to), summed over
// currencies (the tests' data has one).
func (r *recorder) total(t *testing.T, scope, typ, from, to string) decimal.Decimal {
	t.Helper()
	var res cost.Result
	r.must(t, "POST", "/api/v1/query", map[string]any{"scope": scope, "type": typ, "from": from, "to": to}, &res)
	sum := decimal.Zero
	for _, row := range res.Rows {
		sum = sum.Add(row.Cost)
	}
	return sum
}

// newUser creates a user and returns its token.
func (r *recorder) newUser(t *testing.T, name string) string {
	t.Helper()
	r.must(t, "POST", "/api/v1/users", map[string]string{"name": name}, nil)
	var tok struct{ Token string }
	r.must(t, "POST", "/api/v1/users/"+name+"/tokens", nil, &tok)
	return tok.Token
}

// connectorView is a connector as the API shows it.
type connectorView struct {
	cost.Connector // with its Collection
	TrialDaysLeft  int
}

// scopeOf is a scope as GET /api/v1/scopes lists it.
type scopeOf struct {
	ID, Kind, Name, Group, BillingAccount, Connector, Role string
}

func (r *recorder) scopes(t *testing.T) map[string]scopeOf {
	t.Helper()
	var res struct{ Value []scopeOf }
	r.must(t, "GET", "/api/v1/scopes", nil, &res)
	out := map[string]scopeOf{}
	for _, s := range res.Value {
		out[s.ID] = s
	}
	return out
}

func (r *recorder) assignments(t *testing.T, scope string) []string {
	t.Helper()
	var res struct {
		Value []struct{ User, Role, Scope string }
	}
	r.must(t, "GET", "/api/v1/roleAssignments?scope="+scope, nil, &res)
	var out []string
	for _, a := range res.Value {
		out = append(out, a.User+" "+a.Role)
	}
	return out
}
