package iampolicy

import (
	"crypto/rand"
	"strings"
	"unicode/utf8"

	"github.com/reckon-finops/reckon/internal/cost"
)

// External ID rules of STS AssumeRole: 2 to 1224 characters of
// [\w+=,.@:/-], where \w is ASCII letters, digits and '_'.
const (
	minExternalID = 2
	maxExternalID = 1224
	// NewExternalID draws from letters and digits only, which every tool
	// passes through unquoted.
	externalIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	externalIDLength   = 40 // about 238 bits
)

// NewExternalID returns a new random external ID of 40 letters and digits
// from crypto/rand.
func NewExternalID() string {
	var b strings.Builder
	buf := make([]byte, 64)
	for b.Len() < externalIDLength {
		rand.Read(buf) // never fails: it crashes the program instead
		for _, c := range buf {
			// 248 is the largest multiple of 62 that fits a byte: rejecting
			// the rest keeps every character equally likely.
			if c < 248 && b.Len() < externalIDLength {
				b.WriteByte(externalIDAlphabet[int(c)%len(externalIDAlphabet)])
			}
		}
	}
	return b.String()
}

// ValidExternalID checks an external ID against STS's rules: 2 to 1224
// characters, each a letter, digit or one of _+=,.@:/-. The error is a
// cost.Error with code cost.EInvalid; it never repeats the value, which is
// a secret.
func ValidExternalID(s string) error {
	n := utf8.RuneCountInString(s)
	if n < minExternalID || n > maxExternalID {
		return cost.Errorf(cost.EInvalid, "the external ID must be %d to %d characters long; this one has %d", minExternalID, maxExternalID, n)
	}
	for i, r := range []rune(s) {
		if !externalIDRune(r) {
			return cost.Errorf(cost.EInvalid, "the external ID may hold only letters, digits and _+=,.@:/-; character %d is not one of them", i+1)
		}
	}
	return nil
}

func externalIDRune(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("_+=,.@:/-", r)
}
