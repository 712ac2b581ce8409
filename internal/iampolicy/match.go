package iampolicy

import "strings"

// IAM wildcards: '*' matches any run of characters (in a resource ARN it
// may cross ':' and '/'), '?' exactly one.

// matchAction reports whether an action such as "s3:GetObject" matches a
// policy's action pattern. IAM compares action names case-insensitively.
func matchAction(pattern, action string) bool {
	return glob([]rune(strings.ToLower(pattern)), []rune(strings.ToLower(action)), literal)
}

// matchResource reports whether a resource ARN matches a policy's resource
// pattern, case-sensitively.
func matchResource(pattern, resource string) bool {
	return glob([]rune(pattern), []rune(resource), literal)
}

// covers reports whether every resource the pattern want matches also
// matches the pattern have. It is exact when want has at most one '*', at
// its end, which is the shape of every resource in Required; for other
// shapes it may answer false for a pattern that does cover.
func covers(have, want string) bool {
	return glob([]rune(have), []rune(want), wildcardText)
}

// literal compares a non-'*' pattern character with a text character.
func literal(p, t rune) bool { return p == '?' || p == t }

// wildcardText compares a pattern character with a character of a pattern
// used as text: the text's '*' can only be consumed by a pattern '*', and
// its '?' only by a '?' (or a '*').
func wildcardText(p, t rune) bool {
	switch t {
	case '*':
		return false
	case '?':
		return p == '?'
	}
	return p == '?' || p == t
}

// glob matches text against pattern, where '*' in the pattern matches any
// run of text and eq decides every other character. It backtracks only to
// the last '*', so it runs in O(len(pattern)·len(text)) at worst.
func glob(pattern, text []rune, eq func(p, t rune) bool) bool {
	px, tx := 0, 0
	nextPx, nextTx := 0, 0
	for px < len(pattern) || tx < len(text) {
		if px < len(pattern) {
			if c := pattern[px]; c == '*' {
				nextPx, nextTx = px, tx+1
				px++
				continue
			} else if tx < len(text) && eq(c, text[tx]) {
				px++
				tx++
				continue
			}
		}
		if 0 < nextTx && nextTx <= len(text) {
			px, tx = nextPx, nextTx
			continue
		}
		return false
	}
	return true
}

// intersects reports whether some resource matches both patterns, so that
// a Deny on one takes away part of the other.
func intersects(a, b string) bool {
	p, q := []rune(a), []rune(b)
	// next[j] and cur[j] hold whether p[i+1:] (next) or p[i:] (cur) and
	// q[j:] share a string; i runs from the end.
	next := make([]bool, len(q)+1)
	cur := make([]bool, len(q)+1)
	for i := len(p); i >= 0; i-- {
		for j := len(q); j >= 0; j-- {
			var ok bool
			switch {
			case i == len(p) && j == len(q):
				ok = true
			case i < len(p) && p[i] == '*':
				// The star ends here, or swallows q[j] (a character, or
				// q's own star matching nothing more).
				ok = next[j] || j < len(q) && cur[j+1]
			case j < len(q) && q[j] == '*':
				ok = cur[j+1] || i < len(p) && next[j]
			case i < len(p) && j < len(q):
				ok = (p[i] == '?' || q[j] == '?' || p[i] == q[j]) && next[j+1]
			}
			cur[j] = ok
		}
		next, cur = cur, next
	}
	return next[0]
}

// hasWildcard reports whether a pattern contains '*' or '?'.
func hasWildcard(pattern string) bool {
	return strings.ContainsAny(pattern, "*?")
}
