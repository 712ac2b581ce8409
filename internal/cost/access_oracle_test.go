package cost

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The oracle is a second, naive model of product.md §6, written without the
// package's code: it keeps a parent map and an event log, and answers by
// walking parents one by one and replaying the log up to each discovery.

type oracleEvent struct {
	time       int
	add        bool
	user, role string
	scope      string
}

type oracleFind struct {
	time      int
	connector string // "" for a connector's own creation
	creator   string
}

type oracle struct {
	now     int
	kind    map[string]string // "mg", "sub", "billing", "account", "connector"; absent: no such scope
	parent  map[string]string // groups, subscriptions and accounts; the root's is ""
	payerOf map[string]string // account → billing account
	found   map[string]oracleFind
	log     []oracleEvent
}

func newOracle() *oracle {
	return &oracle{kind: map[string]string{"mg/root": "mg"}, parent: map[string]string{"mg/root": ""},
		payerOf: map[string]string{}, found: map[string]oracleFind{}}
}

func (o *oracle) tick() int { o.now++; return o.now }

// held replays the log for one scope up to time t and returns the set of
// "user role" pairs on it. A discovered scope gets, at its discovery, its
// creator as Owner and, for a linked account, the connector's pairs as the
// log had them then.
func (o *oracle) held(scope string, t int) map[string]bool {
	set := map[string]bool{}
	f, pending := o.found[scope]
	for _, e := range o.log {
		if e.time > t {
			break
		}
		if pending && f.time < e.time {
			o.applyFind(scope, f, set)
			pending = false
		}
		if e.scope == scope {
			if e.add {
				set[e.user+" "+e.role] = true
			} else {
				delete(set, e.user+" "+e.role)
			}
		}
	}
	if pending && f.time <= t {
		o.applyFind(scope, f, set)
	}
	return set
}

func (o *oracle) applyFind(scope string, f oracleFind, set map[string]bool) {
	set[f.creator+" Owner"] = true
	if o.kind[scope] == "account" {
		for k := range o.held(f.connector, f.time) {
			set[k] = true
		}
	}
}

var oracleAllows = map[string][]string{
	"Reader":      {"Read"},
	"Contributor": {"Read", "Write", "Verify"},
	"Owner":       {"Read", "Write", "Verify", "ManageAccess"},
}

func (o *oracle) can(user, action, scope string) bool {
	if o.kind[scope] == "" {
		return false
	}
	scopes := []string{scope}
	if k := o.kind[scope]; k == "mg" || k == "sub" || k == "account" {
		for p := o.parent[scope]; p != ""; p = o.parent[p] {
			scopes = append(scopes, p)
		}
	}
	for _, s := range scopes {
		for k := range o.held(s, o.now) {
			u, r, _ := strings.Cut(k, " ")
			if u == user && slices.Contains(oracleAllows[r], action) {
				return true
			}
		}
	}
	return false
}

func (o *oracle) covered(scope string) []ScopeID {
	var out []ScopeID
	for id, k := range o.kind {
		if k != "sub" && k != "account" {
			continue
		}
		switch o.kind[scope] {
		case "sub", "account":
			if id == scope {
				out = append(out, ScopeID(id))
			}
		case "billing":
			if o.payerOf[id] == scope {
				out = append(out, ScopeID(id))
			}
		case "mg":
			for p := id; p != ""; p = o.parent[p] {
				if p == scope {
					out = append(out, ScopeID(id))
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// oracleCase is one random history applied to both models.
type oracleCase struct {
	t      *testing.T
	r      *rand.Rand
	o      *oracle
	h      *Hierarchy
	as     []Assignment
	all    []string // every scope ID the case may name, existing or not
	groups int
	checks int
	also   func(*oracleCase) // a further comparison, run with every compare
}

var oracleUsers = []string{"ann", "ben", "cat", "dan"}

func (c *oracleCase) pick(kinds ...string) string {
	var ids []string
	for id, k := range c.o.kind {
		if slices.Contains(kinds, k) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	sort.Strings(ids)
	return ids[c.r.IntN(len(ids))]
}

func (c *oracleCase) addGroup() {
	id := fmt.Sprintf("mg/g%d", c.groups)
	c.groups++
	parent := c.pick("mg")
	c.all = append(c.all, id)
	if err := c.h.Add(Scope{ID: ScopeID(id), Group: ScopeID(parent)}); err != nil {
		c.t.Fatal(err)
	}
	c.o.kind[id], c.o.parent[id] = "mg", parent
}

func (c *oracleCase) assign(add bool) {
	u, role := oracleUsers[c.r.IntN(len(oracleUsers))], []string{"Reader", "Contributor", "Owner"}[c.r.IntN(3)]
	scope := c.pick("connector")
	if c.r.IntN(2) == 0 {
		scope = c.all[c.r.IntN(len(c.all))]
	}
	if !add && len(c.as) > 0 && c.r.IntN(2) == 0 {
		a := c.as[c.r.IntN(len(c.as))]
		u, role, scope = a.User, string(a.Role), string(a.Scope)
	}
	a := Assignment{User: u, Role: Role(role), Scope: ScopeID(scope)}
	c.as = slices.DeleteFunc(c.as, func(b Assignment) bool { return b == a })
	if add {
		c.as = append(c.as, a)
	}
	c.o.log = append(c.o.log, oracleEvent{time: c.o.tick(), add: add, user: u, role: role, scope: scope})
}

func (c *oracleCase) discover(conn int) {
	connector := fmt.Sprintf("connectors/c%d", conn)
	payerID := fmt.Sprintf("aws/billing/%012d", conn)
	var found []Account
	for j := range 6 {
		if c.r.IntN(3) == 0 {
			found = append(found, Account{ID: ScopeID(fmt.Sprintf("aws/accounts/%012d", conn*10+j))})
		}
	}
	group := c.pick("mg")
	if c.r.IntN(3) == 0 {
		group = ""
	}
	creator := c.o.found[connector].creator
	scopes, grants, err := Discover(c.h, Discovery{Connector: ScopeID(connector), Creator: creator,
		BillingAccount: Account{ID: ScopeID(payerID)}, Accounts: found, DefaultGroup: ScopeID(group)}, c.as)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, s := range scopes {
		if err := c.h.Add(s); err != nil {
			c.t.Fatal(err)
		}
	}
	c.as = append(c.as, grants...)

	now := c.o.tick()
	if c.o.kind[payerID] == "" {
		c.o.kind[payerID] = "billing"
		c.o.found[payerID] = oracleFind{time: now, connector: connector, creator: creator}
	}
	for _, a := range found {
		id := string(a.ID)
		if c.o.kind[id] != "" {
			continue
		}
		c.o.kind[id], c.o.parent[id], c.o.payerOf[id] = "account", cmpOr(group, "mg/root"), payerID
		c.o.found[id] = oracleFind{time: now, connector: connector, creator: creator}
	}
}

func cmpOr(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

func (c *oracleCase) moveGroup() {
	id, parent := c.all[c.r.IntN(len(c.all))], c.pick("mg")
	ok := c.o.kind[id] == "mg" && id != "mg/root"
	for p := parent; ok && p != ""; p = c.o.parent[p] {
		ok = p != id
	}
	err := c.h.MoveGroup(ScopeID(id), ScopeID(parent))
	if (err == nil) != ok {
		c.t.Fatalf("MoveGroup(%s, %s) = %v, oracle says ok=%v", id, parent, err, ok)
	}
	if ok {
		c.o.parent[id] = parent
	}
}

func (c *oracleCase) move() {
	var ids []ScopeID
	ok := true
	for range 1 + c.r.IntN(3) {
		id := c.pick("sub", "account")
		if id == "" || c.r.IntN(6) == 0 {
			id = c.all[c.r.IntN(len(c.all))]
		}
		ok = ok && (c.o.kind[id] == "sub" || c.o.kind[id] == "account")
		ids = append(ids, ScopeID(id))
	}
	group := c.pick("mg")
	err := c.h.Move(ids, ScopeID(group))
	if (err == nil) != ok {
		c.t.Fatalf("Move(%v, %s) = %v, oracle says ok=%v", ids, group, err, ok)
	}
	if ok {
		for _, id := range ids {
			c.o.parent[string(id)] = group
		}
	}
}

func (c *oracleCase) deleteGroup() {
	id := c.pick("mg")
	ok := id != "mg/root"
	for child, p := range c.o.parent {
		if p == id && c.o.kind[child] != "" {
			ok = false
		}
	}
	err := c.h.DeleteGroup(ScopeID(id))
	if (err == nil) != ok {
		c.t.Fatalf("DeleteGroup(%s) = %v, oracle says ok=%v", id, err, ok)
	}
	if ok {
		delete(c.o.kind, id)
	}
}

// compare checks Can for every (user, action, scope), Covered for every
// scope and VisibleScopes for every user.
func (c *oracleCase) compare() {
	actions := []string{"Read", "Write", "Verify", "ManageAccess"}
	for _, u := range append(oracleUsers, "eve") {
		var visible []ScopeID
		for _, s := range c.all {
			for _, a := range actions {
				got, want := Can(u, Action(a), ScopeID(s), c.h, c.as), c.o.can(u, a, s)
				c.checks++
				if got != want {
					c.t.Fatalf("Can(%s, %s, %s) = %v, oracle %v\nassignments %v\nlog %v", u, a, s, got, want, c.as, c.o.log)
				}
				if a == "Read" && want {
					visible = append(visible, ScopeID(s))
				}
			}
		}
		slices.Sort(visible)
		if got := VisibleScopes(u, c.h, c.as); !slices.Equal(got, visible) {
			c.t.Fatalf("VisibleScopes(%s) = %v, oracle %v", u, got, visible)
		}
	}
	for _, s := range c.all {
		if got, want := c.h.Covered(ScopeID(s)), c.o.covered(s); !slices.Equal(got, want) {
			c.t.Fatalf("Covered(%s) = %v, oracle %v", s, got, want)
		}
	}
	if c.also != nil {
		c.also(c)
	}
}

func runOracleCase(t *testing.T, r *rand.Rand, also func(*oracleCase)) int {
	c := &oracleCase{t: t, r: r, o: newOracle(), h: NewHierarchy(), all: []string{"mg/root"}, also: also}
	for range r.IntN(6) {
		c.addGroup()
	}
	for i := range r.IntN(4) {
		id := fmt.Sprintf("azure/subscriptions/00000000-0000-0000-0000-%012d", i)
		group := c.pick("mg")
		if err := c.h.Add(Scope{ID: ScopeID(id), Group: ScopeID(group)}); err != nil {
			t.Fatal(err)
		}
		c.o.kind[id], c.o.parent[id] = "sub", group
		c.all = append(c.all, id)
	}
	conns := 1 + r.IntN(3)
	for i := range conns {
		id := fmt.Sprintf("connectors/c%d", i)
		creator := oracleUsers[r.IntN(len(oracleUsers))]
		s, owner := ConnectorCreated(ScopeID(id), id, creator)
		if err := c.h.Add(s); err != nil {
			t.Fatal(err)
		}
		c.as = append(c.as, owner)
		c.o.kind[id] = "connector"
		c.o.found[id] = oracleFind{time: c.o.tick(), creator: creator}
		c.all = append(c.all, id, fmt.Sprintf("aws/billing/%012d", i))
		for j := range 6 {
			c.all = append(c.all, fmt.Sprintf("aws/accounts/%012d", i*10+j))
		}
	}
	steps := 10 + r.IntN(25)
	for step := range steps {
		switch n := r.IntN(20); {
		case n < 7:
			c.assign(true)
		case n < 10:
			c.assign(false)
		case n < 14:
			c.discover(r.IntN(conns))
		case n < 16:
			c.moveGroup()
		case n < 18:
			c.move()
		case n < 19:
			c.deleteGroup()
		default:
			c.addGroup()
		}
		if step == steps/2 {
			c.compare()
		}
	}
	c.compare()
	return c.checks
}

func TestAccessAgainstOracle(t *testing.T) {
	const cases = 10_000
	checks := 0
	for seed := range uint64(cases) {
		checks += runOracleCase(t, rand.New(rand.NewPCG(seed, 0x5eed)), nil)
	}
	t.Logf("%d random cases, %d Can checks against the oracle", cases, checks)
}
