package cost

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// Page tokens are stateless: a token names the query it belongs to (a
// fingerprint of the scope and every field but the page) and how many rows
// to skip. The server keeps nothing between pages; each page runs the
// query again with OFFSET, which the total order of Query.OrderBy makes
// stable while the data does not change. A token of another query, or one
// damaged, is an EInvalid error. Tokens are not secret: one only repeats a
// query its holder may already run.
const pageTokenPrefix = "rk1."

// Fingerprint identifies a query on a scope for its page tokens.
func Fingerprint(scope ScopeID, q *Query) string {
	c := *q
	c.Skip, c.Limit, c.View = 0, 0, nil
	b, _ := json.Marshal(struct {
		Scope ScopeID
		Query *Query
	}{scope, &c})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// PageToken returns the token of the page that starts after skip rows of
// the query with the fingerprint.
func PageToken(fingerprint string, skip int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(pageTokenPrefix + fingerprint + "." + strconv.Itoa(skip)))
}

// ReadPageToken returns the rows to skip that the token says, checking
// that it belongs to the query with the fingerprint.
func ReadPageToken(token, fingerprint string) (skip int, err error) {
	bad := Errorf(EInvalid, "the page token is not one Reckon wrote: send the nextLink of the previous page as it came")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, bad
	}
	rest, ok := strings.CutPrefix(string(raw), pageTokenPrefix)
	if !ok {
		return 0, bad
	}
	fp, n, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, bad
	}
	skip, err = strconv.Atoi(n)
	if err != nil || skip < 0 {
		return 0, bad
	}
	if fp != fingerprint {
		return 0, Errorf(EInvalid, "the page token belongs to another query: send it with the same scope and body "+
			"as the query whose answer gave it")
	}
	return skip, nil
}
