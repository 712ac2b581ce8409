package duckstore

import (
	"strings"

	"github.com/zeebo/xxh3"
)

// dimIndex gives each distinct combination of dimension columns a dense id.
// It runs once per cost row, so a combination is known by the 128-bit XXH3
// hash of its key rather than the key itself: on 5M rows, a map of
// ~250-byte string keys cost 2.3 s of CPU, mostly comparing the key on every
// hit; the hash map costs a third of that. Two of the few thousand
// combinations a store holds colliding in 128 bits is a 1-in-10^30 event, the
// same trust content-addressed storage and data-vault hash keys rely on.
type dimIndex struct {
	ids    map[xxh3.Uint128]int32
	vals   [][numDims]string // by id-1
	hashes []xxh3.Uint128    // by id-1
	stored int               // how many of vals the store holds; the rest were added by the current load
	key    []byte            // scratch
}

func newDimIndex() *dimIndex {
	return &dimIndex{ids: map[xxh3.Uint128]int32{}}
}

// lookup returns the id of the combination and its hash.
func (x *dimIndex) lookup(v *[numDims]string) (int32, xxh3.Uint128, bool) {
	x.key = appendDimKey(x.key[:0], v)
	h := xxh3.Hash128(x.key)
	id, ok := x.ids[h]
	return id, h, ok
}

// add gives the combination a new id. Its strings are copied: the row's may
// alias a reader's buffer.
func (x *dimIndex) add(v *[numDims]string, h xxh3.Uint128) int32 {
	var own [numDims]string
	for i, s := range v {
		own[i] = strings.Clone(s)
	}
	return x.put(own, h)
}

func (x *dimIndex) put(v [numDims]string, h xxh3.Uint128) int32 {
	x.vals = append(x.vals, v)
	x.hashes = append(x.hashes, h)
	id := int32(len(x.vals))
	x.ids[h] = id
	return id
}

// added returns the combinations added since the last commit, and the id of
// the first.
func (x *dimIndex) added() ([][numDims]string, int32) {
	return x.vals[x.stored:], int32(x.stored) + 1
}

// commit keeps the added combinations.
func (x *dimIndex) commit() { x.stored = len(x.vals) }

// rollback forgets the combinations added since the last commit.
func (x *dimIndex) rollback() {
	for _, h := range x.hashes[x.stored:] {
		delete(x.ids, h)
	}
	x.vals, x.hashes = x.vals[:x.stored], x.hashes[:x.stored]
}

// appendDimKey appends the values, each followed by a 0 byte (which CUR
// text never contains). It is also the dims.dim_key column, from which a
// reopened store rebuilds the index.
func appendDimKey(b []byte, v *[numDims]string) []byte {
	for _, s := range v {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

// splitDimKey is the inverse of appendDimKey.
func splitDimKey(key string) ([numDims]string, bool) {
	var v [numDims]string
	parts := strings.Split(strings.TrimSuffix(key, "\x00"), "\x00")
	if len(parts) != numDims || !strings.HasSuffix(key, "\x00") {
		return v, false
	}
	copy(v[:], parts)
	return v, true
}
