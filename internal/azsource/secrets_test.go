package azsource_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/reckon-finops/reckon/internal/azsource"
	"github.com/reckon-finops/reckon/internal/cost"
)

// The SAS token and the account key never reach an error or String, even
// when the SDK's own error (a refused connection) quotes the request's URL.
func TestCredentialsAreNeverShown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every request is refused
	const sig = "c2VjcmV0LXNpZ25hdHVyZS1vZi10aGUtc2Fz"
	sasToken := "sv=2023-11-03&se=2099-01-01T00%3A00%3A00Z&sr=c&sp=rl&sig=" + sig
	key := "a2V5LW9mLXRoZS1hY2NvdW50LW5vdC10by1iZS1zaG93bg=="
	for _, opts := range []azsource.RemoteOptions{
		{SASToken: "?" + sasToken},
		{AccountName: "devstoreaccount1", AccountKey: key},
	} {
		opts.AccountURL, opts.Container, opts.Prefix, opts.RetryDelay = "http://"+addr+"/devstoreaccount1", "exports", "daily", time.Millisecond
		r, err := azsource.NewRemote(opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Deliveries(context.Background())
		if err == nil || cost.ErrorCode(err) != cost.EInternal || !strings.Contains(err.Error(), "list the blobs in container exports") {
			t.Fatalf("listing a closed port: %v; want the failure to list the container", err)
		}
		t.Log(err)
		for _, secret := range []string{sig, key} {
			if strings.Contains(err.Error(), secret) || strings.Contains(r.String(), secret) {
				t.Errorf("error %q or String %q shows a credential", err, r)
			}
		}
	}
	if _, err := azsource.NewRemote(azsource.RemoteOptions{AccountURL: "http://127.0.0.1:1/a", Container: "c"}); cost.ErrorCode(err) != cost.EInvalid {
		t.Errorf("a remote without credentials: %v, want Invalid", err)
	}
	_, err = azsource.NewRemote(azsource.RemoteOptions{AccountURL: "http://127.0.0.1:1/a", Container: "c", AccountName: "a", AccountKey: "not base64 " + key})
	if cost.ErrorCode(err) != cost.EInvalid || strings.Contains(err.Error(), key) {
		t.Errorf("a key that is not base64: %v, want Invalid without the key", err)
	}
}
