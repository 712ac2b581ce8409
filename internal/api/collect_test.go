package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/duckstore"
	"github.com/reckon-finops/reckon/internal/jobs"
)

// quietAWS stands in for the AWS side of a collection: Organizations names
// nobody, and there is nothing new to load.
type quietAWS struct{}

func (quietAWS) Accounts(context.Context, cost.Connector) (map[string]cost.Account, []string, error) {
	return nil, nil, nil
}

func (quietAWS) Load(context.Context, cost.Connector, cost.RegisterFunc) ([]string, int64, error) {
	return []string{"2026-01 skipped: version v1 already loaded"}, 0, nil
}

func TestCollectingNowAnswersWhatTheJobFoundAndCountsIt(t *testing.T) {
	h := newHarness(t, func(o *Options) {
		o.Metrics = NewMetrics()
		store := o.Catalog.(*duckstore.Store)
		o.Jobs = jobs.New(jobs.Options{Catalog: store, Costs: store, Collector: quietAWS{}, Clock: o.Clock, OnCollect: o.Metrics.CountCollection})
	})
	if got := h.do(h.admin, "POST", "/api/v1/connectors", map[string]string{"name": "acme", "roleArn": "arn:aws:iam::012345678901:role/reckon",
		"externalId": "Qw8eRt5yUi2oPa7sDf4gHj1kLz9xCv3b", "reportName": "reckon"}, nil); got != 201 {
		t.Fatalf("create: %d", got)
	}
	var raw map[string]json.RawMessage
	if got := h.do(h.admin, "POST", "/api/v1/connectors/acme/collect", nil, &raw); got != 200 {
		t.Fatalf("collect: %d %s", got, raw)
	}
	// The wire shape: a summary, the discovered scopes, no warnings key when there are none.
	compact := func(key string) string {
		var b bytes.Buffer
		json.Compact(&b, raw[key]) //nolint:errcheck // an absent key compacts to nothing
		return b.String()
	}
	if compact("summary") != `["2026-01 skipped: version v1 already loaded"]` || compact("discovered") != `["aws/billing/012345678901"]` || len(raw) != 2 {
		t.Errorf("answer %s", raw)
	}
	resp, err := http.Get(h.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(m), `reckon_collections_total{connector="connectors/acme",result="ok"} 1`) {
		t.Errorf("metrics lack the collection:\n%s", m)
	}
}

func TestAServerWithoutJobsDoesNotCollect(t *testing.T) {
	h := newHarness(t)
	h.do(h.admin, "POST", "/api/v1/connectors", map[string]string{"name": "acme", "roleArn": "arn:aws:iam::012345678901:role/reckon",
		"externalId": "Qw8eRt5yUi2oPa7sDf4gHj1kLz9xCv3b", "reportName": "reckon"}, nil)
	var e ErrorBody
	if got := h.do(h.admin, "POST", "/api/v1/connectors/acme/collect", nil, &e); got != 409 || e.Error.Code != cost.EConflict {
		t.Errorf("collect: %d %+v, want 409 Conflict", got, e)
	}
}
