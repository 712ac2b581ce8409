package pgcatalog

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// A secret at rest is sealed with AES-256-GCM: a format byte, the ID of the
// key that sealed it, the nonce, then the ciphertext with its tag. The key
// ID (the first bytes of the key's SHA-256, which reveal nothing of it)
// lets a key be rotated: the old one, passed in Options.OldKeys, still
// opens what it sealed. The additional data binds a secret to its row, so
// that a ciphertext copied to another connector does not open.

const (
	sealFormat = 1
	keyIDLen   = 4
	keyLen     = 32
)

// keyring holds the key that seals and every key that opens.
type keyring struct {
	seal *sealer // nil without a key
	byID map[[keyIDLen]byte]*sealer
}

type sealer struct {
	id   [keyIDLen]byte
	aead cipher.AEAD
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != keyLen {
		return nil, fmt.Errorf("the catalog's secret key is %d bytes: it must be %d (AES-256)", len(key), keyLen)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("the catalog's secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("the catalog's secret key: %w", err)
	}
	s := &sealer{aead: aead}
	sum := sha256.Sum256(key)
	copy(s.id[:], sum[:])
	return s, nil
}

func newKeyring(key []byte, old [][]byte) (*keyring, error) {
	k := &keyring{byID: map[[keyIDLen]byte]*sealer{}}
	if key != nil {
		s, err := newSealer(key)
		if err != nil {
			return nil, err
		}
		k.seal = s
		k.byID[s.id] = s
	}
	for _, o := range old {
		s, err := newSealer(o)
		if err != nil {
			return nil, fmt.Errorf("an old key: %w", err)
		}
		if _, dup := k.byID[s.id]; !dup {
			k.byID[s.id] = s
		}
	}
	return k, nil
}

// errNoKey refuses to store or read a secret without a key.
var errNoKey = errors.New("the catalog holds secrets encrypted at rest and was opened without its key: set the catalog's secret key (32 bytes)")

// sealSecret encrypts a secret for the row named by aad. The empty secret
// is stored as nothing, without a key.
func (k *keyring) sealSecret(plain, aad string) ([]byte, error) {
	if plain == "" {
		return []byte{}, nil
	}
	if k.seal == nil {
		return nil, errNoKey
	}
	out := make([]byte, 1+keyIDLen, 1+keyIDLen+k.seal.aead.NonceSize()+len(plain)+k.seal.aead.Overhead())
	out[0] = sealFormat
	copy(out[1:], k.seal.id[:])
	nonce := make([]byte, k.seal.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal a secret: %w", err)
	}
	out = append(out, nonce...)
	return k.seal.aead.Seal(out, nonce, []byte(plain), []byte(aad)), nil
}

// openSecret decrypts what sealSecret wrote for the same aad.
func (k *keyring) openSecret(sealed []byte, aad string) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	s, err := k.sealerOf(sealed)
	if err != nil {
		return "", err
	}
	n := s.aead.NonceSize()
	rest := sealed[1+keyIDLen:]
	if len(rest) < n+s.aead.Overhead() {
		return "", errors.New("a secret in the catalog is truncated")
	}
	plain, err := s.aead.Open(nil, rest[:n], rest[n:], []byte(aad))
	if err != nil {
		return "", errors.New("a secret in the catalog does not open with its key: it was altered or moved")
	}
	return string(plain), nil
}

// sealerOf returns the key that sealed a secret.
func (k *keyring) sealerOf(sealed []byte) (*sealer, error) {
	if len(sealed) < 1+keyIDLen || sealed[0] != sealFormat {
		return nil, errors.New("a secret in the catalog is not in a format this version reads")
	}
	if len(k.byID) == 0 {
		return nil, errNoKey
	}
	var id [keyIDLen]byte
	copy(id[:], sealed[1:])
	s, ok := k.byID[id]
	if !ok {
		return nil, fmt.Errorf("a secret in the catalog was sealed with key %x, which is neither the catalog's key nor an old key", id)
	}
	return s, nil
}

// checkKeys refuses to open a catalog whose secrets the keys cannot open:
// a missing or wrong key is found at start, not at the first collection.
func (c *Catalog) checkKeys(ctx context.Context) error {
	rows, err := c.pool.Query(ctx, `SELECT DISTINCT substr(external_id, 1, $1) FROM connector_secrets WHERE length(external_id) > 0`, 1+keyIDLen)
	if err != nil {
		return fmt.Errorf("read the catalog's key IDs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var head []byte
		if err := rows.Scan(&head); err != nil {
			return fmt.Errorf("read the catalog's key IDs: %w", err)
		}
		if _, err := c.keys.sealerOf(head); err != nil {
			return err
		}
	}
	return rows.Err()
}
