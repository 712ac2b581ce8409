package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// TestNoAssignmentLandsAfterTheAssignersOwnerRoleIsRemoved has a user
// assign roles from several clients while an administrator removes her
// Owner role. Each check runs in the transaction of the change it guards,
// so the audit log, written in the same transactions, shows no
// assignment of hers after the removal, and every assignment that exists
// was answered 201.
func TestNoAssignmentLandsAfterTheAssignersOwnerRoleIsRemoved(t *testing.T) {
	h := newHarness(t)
	const users = 40
	h.do(h.admin, "POST", "/api/v1/managementGroups", map[string]string{"id": "team"}, nil)
	for _, u := range []string{"ana"} {
		h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": u}, nil)
	}
	for i := range users {
		h.do(h.admin, "POST", "/api/v1/users", map[string]string{"name": fmt.Sprintf("u%d", i)}, nil)
	}
	h.do(h.admin, "POST", "/api/v1/roleAssignments", map[string]string{"user": "ana", "role": "Owner", "scope": "mg/team"}, nil)
	var tok tokenView
	h.do(h.admin, "POST", "/api/v1/users/ana/tokens", nil, &tok)

	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	start := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			<-start
			for i := w; i < users; i += 4 {
				body := fmt.Sprintf(`{"user": "u%d", "role": "Reader", "scope": "mg/team"}`, i)
				req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/roleAssignments", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok.Token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if status := resp.StatusCode; status == 201 {
					mu.Lock()
					created++
					mu.Unlock()
				} else if status != 403 {
					t.Errorf("assign u%d: %d", i, status)
				}
			}
		})
	}
	close(start)
	if got := h.do(h.admin, "DELETE", "/api/v1/roleAssignments?user=ana&role=Owner&scope=mg/team", nil, nil); got != 200 {
		t.Fatalf("remove ana's Owner role: %d", got)
	}
	wg.Wait()

	log := read(t, h.store, func(ctx context.Context, r cost.CatalogReader) ([]cost.AuditEntry, error) { return r.AuditLog(ctx) })
	removed, before, after := false, 0, 0
	for _, e := range log {
		switch {
		case e.Action == "access.remove" && e.Detail == "Owner from ana":
			removed = true
		case e.Action == "access.assign" && e.User == "ana" && removed:
			after++
		case e.Action == "access.assign" && e.User == "ana":
			before++
		}
	}
	landed := read(t, h.store, func(ctx context.Context, r cost.CatalogReader) ([]cost.Assignment, error) {
		return r.Assignments(ctx, cost.AssignmentFilter{Scope: "mg/team", User: ""})
	})
	if after != 0 || before != created || len(landed) != created {
		t.Errorf("%d of ana's assignments landed after her Owner role went, %d before; %d answered 201; %d on mg/team",
			after, before, created, len(landed))
	}
	t.Logf("%d assignments landed before the removal, %d refused after", created, users-created)
}
