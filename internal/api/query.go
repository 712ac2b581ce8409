package api

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// queryRequest is a cost query on one scope.
type queryRequest struct {
	Scope string `json:"scope" doc:"the scope whose costs to sum"`
	cost.QuerySpec
}

// skipTokenParam carries a page token in a nextLink, as Azure names it.
const skipTokenParam = "$skiptoken"

// query sums the costs a scope's view covers (cost.ViewOf), for a caller
// with Reader on it. Accept: text/csv or application/x-ndjson streams the
// whole answer as CSV or JSON Lines instead of a page.
func (s *Server) query(c *call) (any, error) {
	var req queryRequest
	if err := decode(c.r, &req); err != nil {
		return nil, err
	}
	scope, err := cost.ParseScopeID(req.Scope)
	if err != nil {
		return nil, err
	}
	q, err := req.QuerySpec.Build(s.clock.Now())
	if err != nil {
		return nil, err
	}
	if format := exportFormat(c.r); format != "" {
		return s.export(c, scope, q, format)
	}
	return s.runQuery(c, scope, q)
}

// runQuery answers one page of q on the scope: the page the request's
// $skiptoken names, or the first. When rows remain, the answer's NextLink
// is the request's URL with the next page's token: the client sends the
// same body to it.
func (s *Server) runQuery(c *call, scope cost.ScopeID, q *cost.Query) (_ *cost.Result, err error) {
	defer func() {
		// A request cancelled for a reason (the server shutting down) says
		// so, whichever step it was in.
		if cause := context.Cause(c.ctx()); err != nil && cause != nil {
			if _, ok := errors.AsType[*cost.Error](cause); ok {
				err = cause
			}
		}
	}()
	fingerprint := cost.Fingerprint(scope, q)
	if token := c.r.URL.Query().Get(skipTokenParam); token != "" {
		if q.Skip, err = cost.ReadPageToken(token, fingerprint); err != nil {
			return nil, err
		}
	}
	var res *cost.Result
	err = s.overView(c, scope, q, func(on *cost.Query) error {
		if on == nil {
			res = &cost.Result{Columns: q.Columns(), Rows: []cost.ResultRow{}} // nothing below it yet
			return nil
		}
		res, err = s.costs.Query(c.ctx(), on)
		return err
	})
	if err != nil || !res.More {
		return res, err
	}
	out := *res // the store may share its answer with other callers
	out.NextLink = nextLink(c.r, cost.PageToken(fingerprint, q.Skip+len(res.Rows)))
	return &out, nil
}

// overView runs fn with q restricted to the scope's view, for a caller who
// may read the scope; fn gets nil when the view covers no rows.
//
// The catalog and the cost rows are read apart (they may live in different
// stores). A load commits an account's rows and scope together, so a view
// read again after the query that has not changed covers exactly the rows
// the query saw.
func (s *Server) overView(c *call, scope cost.ScopeID, q *cost.Query, fn func(*cost.Query) error) error {
	for range 3 {
		before, err := s.costView(c, scope)
		if err != nil {
			return err
		}
		if before.Empty {
			return fn(nil)
		}
		// The view goes in View, not Filters: the limits on a caller's
		// filters do not count a group's thousands of accounts.
		if err := fn(before.Restrict(q)); err != nil {
			return err
		}
		after, err := s.costView(c, scope)
		if err != nil || sameView(before, after) {
			return err
		}
	}
	return cost.Errorf(cost.EConflict, "the accounts of %s changed during the query three times; try again", scope)
}

// nextLink is the request's own URL with the page token set.
func nextLink(r *http.Request, token string) string {
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	params := r.URL.Query()
	params.Set(skipTokenParam, token)
	u.RawQuery = params.Encode()
	return u.String()
}

// exportFormat is the streamed format the request accepts: "csv" for
// text/csv, "jsonl" for JSON Lines, or "" for the JSON page.
func exportFormat(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "text/csv":
			return "csv"
		case "application/x-ndjson", "application/jsonl", "application/jsonlines":
			return "jsonl"
		case "application/json", "*/*":
			return ""
		}
	}
	return ""
}

// costView reads which rows the scope's view covers, for a caller who may
// read it.
func (s *Server) costView(c *call, scope cost.ScopeID) (v cost.CostView, err error) {
	err = s.view(c, func(ctx context.Context, r cost.CatalogReader) error {
		if err := cost.Authorize(ctx, r, c.user, cost.ActionRead, scope); err != nil {
			return err
		}
		v, err = cost.ViewIn(ctx, r, scope)
		return err
	})
	return v, err
}

func sameView(a, b cost.CostView) bool {
	return slices.EqualFunc(a.Filters, b.Filters, func(x, y cost.Filter) bool {
		return x.Dimension == y.Dimension && slices.Equal(x.Values, y.Values)
	})
}
