package azsource_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/reckon-finops/reckon/internal/azsource"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// azurite is Azurite's blob endpoint and development account, from the
// environment .ci/run sets: RECKON_AZURITE_BLOB
// (http://127.0.0.1:PORT/devstoreaccount1), RECKON_AZURITE_ACCOUNT and
// RECKON_AZURITE_KEY (Azurite's public well-known development key). Without
// them the test skips, unless RECKON_REQUIRE_AZURITE is set.
type azurite struct {
	url, account, key string
}

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

// upload creates a container of a new name and puts the blobs in it with
// the SDK, as Cost Management would.
func (a azurite) upload(t *testing.T, container string, blobs map[string][]byte) {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(a.account, a.key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(a.url, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateContainer(ctx, container, nil); err != nil && !strings.Contains(err.Error(), "ContainerAlreadyExists") {
		t.Fatal(err)
	}
	for name, data := range blobs {
		if _, err := c.UploadBuffer(ctx, container, name, data, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// sas signs a container SAS with the permissions given (e.g. "rl").
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

func newContainer(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	return "reckon-" + hex.EncodeToString(b)
}

func (a azurite) remote(t *testing.T, opts azsource.RemoteOptions) *azsource.Blob {
	t.Helper()
	opts.AccountURL, opts.RetryDelay = a.url, time.Millisecond
	r, err := azsource.NewRemote(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCollectFromAzurite(t *testing.T) {
	a := azuriteEnv(t)
	container := newContainer(t)
	actual, amortized := augustRuns("exports/reckon")
	july, julyAm := augustRuns("exports/reckon")
	july.month, julyAm.month = "2026-07", "2026-07"
	july.runID, julyAm.runID = "33333333-aaaa-4bbb-8ccc-000000000001", "44444444-aaaa-4bbb-8ccc-000000000001"
	july.submitted, julyAm.submitted = "2026-08-01T06:00:00Z", "2026-08-01T06:10:00Z"
	julyLine := line{5, "Storage", "4.00", "Usage", "OnDemand"}
	july.parts, julyAm.parts = []string{costFile("2026-07", julyLine)}, []string{costFile("2026-07", julyLine)}
	a.upload(t, container, merge(actual.files(t), amortized.files(t), july.files(t), julyAm.files(t),
		map[string][]byte{"elsewhere/notes.csv": []byte("not an export")}))

	s, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l := &ingest.Loader{Store: s, TempDir: t.TempDir()}
	ctx := context.Background()
	remote := a.remote(t, azsource.RemoteOptions{Container: container, Prefix: "exports", AccountName: a.account, AccountKey: a.key})
	reports, err := l.Collect(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[0].Skipped || reports[1].Skipped {
		t.Fatalf("reports = %+v, want July and August loaded", reports)
	}
	for _, r := range reports {
		if r.Source != "azure-export/subscriptions/"+sub || len(r.Warnings) != 0 {
			t.Errorf("report %+v: want the subscription's source and no warning", r)
		}
	}
	want(t, s, cost.CostActual, "month", map[string]string{"2026-07": "4.00", "2026-08": "269.75"})
	want(t, s, cost.CostAmortized, "month", map[string]string{"2026-07": "4.00", "2026-08": "29.25"})
	want(t, s, cost.CostActual, "ChargeCategory", map[string]string{"Usage": "16.75", "Purchase": "257.00"})
	t.Log("collected July and August from Azurite: BilledCost 4.00 and 269.75, EffectiveCost 4.00 and 29.25")

	// The next day's runs restate August; July is skipped.
	restate := func(r exportRun, id, at, vm string, lines []line) exportRun {
		r.runID, r.submitted = id, at
		r.parts = []string{costFile("2026-08", append([]line{{1, "Virtual Machines", vm, "Usage", "OnDemand"}}, lines[1:]...)...)}
		return r
	}
	a.upload(t, container, merge(restate(actual, "55555555-aaaa-4bbb-8ccc-000000000001", "2026-08-16T06:00:00Z", "12.00", actualLines).files(t),
		restate(amortized, "66666666-aaaa-4bbb-8ccc-000000000001", "2026-08-16T06:10:00Z", "12.00", amortizedLines).files(t)))
	reports, err = l.Collect(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[0].Skipped == reports[1].Skipped {
		t.Fatalf("reports = %+v, want one month skipped and August reloaded", reports)
	}
	// 269.75 - 10.50 + 12.00 = 271.25; 29.25 - 10.50 + 12.00 = 30.75.
	restated := func() {
		t.Helper()
		want(t, s, cost.CostActual, "month", map[string]string{"2026-07": "4.00", "2026-08": "271.25"})
		want(t, s, cost.CostAmortized, "month", map[string]string{"2026-07": "4.00", "2026-08": "30.75"})
	}
	restated()

	// A later actual run with a non-numeric cost is refused, naming the
	// blob, line and column; August stays as it was.
	bad := restate(actual, "77777777-aaaa-4bbb-8ccc-000000000001", "2026-08-17T06:00:00Z", "12,00", actualLines)
	bad.parts[0] = strings.Replace(bad.parts[0], ",12,00,", `,"12,00",`, 1)
	a.upload(t, container, bad.files(t))
	_, err = l.Collect(ctx, remote)
	if cost.ErrorCode(err) != cost.EExportIsNotValid ||
		!strings.Contains(err.Error(), "/77777777-aaaa-4bbb-8ccc-000000000001/part_0_0001.csv: line 2, column CostInBillingCurrency") {
		t.Fatalf("collecting a run with a cost of 12,00: %v; want ExportIsNotValid at the blob's line 2, column CostInBillingCurrency", err)
	}
	t.Logf("%s: %v", cost.ErrorCode(err), err)
	restated()

	// A blob shorter than its manifest says is refused, naming it.
	cut := restate(actual, "88888888-aaaa-4bbb-8ccc-000000000001", "2026-08-18T06:00:00Z", "12.00", actualLines)
	cut.spoil = func(m map[string]any) {
		b := m["blobs"].([]any)[0].(map[string]any)
		b["byteCount"] = b["byteCount"].(int) + 100
	}
	a.upload(t, container, cut.files(t))
	_, err = l.Collect(ctx, remote)
	if cost.ErrorCode(err) != cost.EExportIsNotValid || !strings.Contains(err.Error(), "88888888-aaaa-4bbb-8ccc-000000000001/part_0_0001.csv") ||
		!strings.Contains(err.Error(), "cut short") {
		t.Fatalf("collecting a truncated blob: %v; want ExportIsNotValid naming the blob", err)
	}
	t.Logf("%s: %v", cost.ErrorCode(err), err)
	restated()

	t.Run("a SAS with read and list reads the container", func(t *testing.T) {
		r := a.remote(t, azsource.RemoteOptions{Container: container, Prefix: "exports/reckon/reckon-amortized",
			SASToken: a.sas(t, container, sas.ContainerPermissions{Read: true, List: true})})
		ds, err := r.Deliveries(ctx)
		if err != nil || len(ds) != 2 {
			t.Fatalf("deliveries %v, %v; want July and August of the amortized export", ds, err)
		}
	})
	denied := func(t *testing.T, opts azsource.RemoteOptions, secret string) {
		t.Helper()
		r := a.remote(t, opts)
		_, err := l.Collect(ctx, r)
		if cost.ErrorCode(err) != cost.EAccessDeniedExport || !strings.Contains(err.Error(), "Storage Blob Data Reader") {
			t.Fatalf("error %v (code %s); want AccessDeniedExport saying what to grant", err, cost.ErrorCode(err))
		}
		t.Logf("%s: %v", cost.ErrorCode(err), err)
		if strings.Contains(err.Error(), secret) || strings.Contains(r.String(), secret) {
			t.Errorf("the error %q or String %q holds the secret", err, r)
		}
		restated()
	}
	t.Run("a wrong account key is denied", func(t *testing.T) {
		wrong := strings.Repeat("A", 86) + "=="
		denied(t, azsource.RemoteOptions{Container: container, Prefix: "exports", AccountName: a.account, AccountKey: wrong}, wrong)
	})
	t.Run("a SAS without list permission is denied", func(t *testing.T) {
		token := a.sas(t, container, sas.ContainerPermissions{Read: true})
		sig := token[strings.Index(token, "sig=")+4:]
		denied(t, azsource.RemoteOptions{Container: container, Prefix: "exports", SASToken: token}, sig)
	})
	t.Run("a container that does not exist is not found", func(t *testing.T) {
		r := a.remote(t, azsource.RemoteOptions{Container: container + "-missing", AccountName: a.account, AccountKey: a.key})
		_, err := l.Collect(ctx, r)
		if cost.ErrorCode(err) != cost.EExportNotFound || !strings.Contains(err.Error(), container+"-missing") {
			t.Fatalf("error %v; want ExportNotFound naming the container", err)
		}
		t.Logf("%s: %v", cost.ErrorCode(err), err)
	})
	t.Run("a prefix with no export is not found", func(t *testing.T) {
		r := a.remote(t, azsource.RemoteOptions{Container: container, Prefix: "elsewhere", AccountName: a.account, AccountKey: a.key})
		_, err := l.Collect(ctx, r)
		if cost.ErrorCode(err) != cost.EExportNotFound || !strings.Contains(err.Error(), "manifest.json") {
			t.Fatalf("error %v; want ExportNotFound saying what was expected", err)
		}
		t.Logf("%s: %v", cost.ErrorCode(err), err)
	})
	restated()
}

// cutReader fails after n bytes, as a connection reset mid-transfer does.
type cutReader struct {
	r io.ReadCloser
	n int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if len(p) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= k
	return k, err
}

func (c *cutReader) Close() error { return c.r.Close() }

func TestATransferCutShortIsDownloadedAgainFromTheStart(t *testing.T) {
	a := azuriteEnv(t)
	container := newContainer(t)
	actual, amortized := augustRuns("exports")
	a.upload(t, container, merge(actual.files(t), amortized.files(t)))

	// A proxy in front of Azurite cuts the first transfer of every data file
	// after 100 bytes.
	target, err := url.Parse(a.url)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	gets := map[string]int{}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(&url.URL{Scheme: target.Scheme, Host: target.Host}) },
		ModifyResponse: func(resp *http.Response) error {
			if resp.Request.Method != http.MethodGet || !strings.Contains(resp.Request.URL.Path, "/part_") {
				return nil
			}
			mu.Lock()
			defer mu.Unlock()
			gets[resp.Request.URL.Path]++
			if gets[resp.Request.URL.Path] == 1 {
				resp.Body = &cutReader{r: resp.Body, n: 100}
			}
			return nil
		},
		ErrorLog: log.New(io.Discard, "", 0), // the cuts are on purpose
	}
	srv := httptest.NewServer(proxy)
	defer srv.Close()

	s, err := duckstore.Open(context.Background(), t.TempDir(), duckstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := azsource.NewRemote(azsource.RemoteOptions{AccountURL: srv.URL + target.Path, Container: container, Prefix: "exports",
		AccountName: a.account, AccountKey: a.key, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&ingest.Loader{Store: s, TempDir: t.TempDir()}).Collect(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	want(t, s, cost.CostActual, "", map[string]string{"": "269.75"})
	want(t, s, cost.CostAmortized, "", map[string]string{"": "29.25"})
	mu.Lock()
	defer mu.Unlock()
	if len(gets) != 3 {
		t.Errorf("the proxy saw %d data files, want 3", len(gets))
	}
	for p, n := range gets {
		if n != 2 {
			t.Errorf("%s was fetched %d times, want 2 (cut, then whole)", p, n)
		}
	}
}
