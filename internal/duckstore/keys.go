package duckstore

import (
	"github.com/zeebo/xxh3"
)

// A load gives each value it stores in a side table (a combination of
// dimension columns, a description, a tag set, a resource ID) a key of its
// own: load_id << 32 | n. It remembers at most maxRecent values per table,
// by their 128-bit XXH3 hash, so that a value repeated on a million rows is
// stored once, while a column with a distinct value on every row costs a
// bounded amount of memory: the map is emptied when full, and a value seen
// again after that is stored again under a new key. Queries group by the
// value, never by the key, so a repeat changes no answer. Nothing is read
// from the store to find keys: a store with twenty million distinct
// descriptions costs a load no more memory than an empty one.
//
// Two values colliding in 128 bits is a 1-in-10^30 event, the trust that
// content-addressed storage relies on; on 5M rows a map of ~250-byte string
// keys cost 2.3 s of CPU comparing keys, the hash map a third of that.

// maxRecent bounds each side table's memory of recent values: about 12 MB.
const maxRecent = 1 << 18

// keyBits is how many low bits of a key number values within one load.
const keyBits = 32

// family numbers the values one load writes to one side table, and spills
// the new ones to a temporary file until the load inserts them.
type family struct {
	table  string
	base   int64  // loadID << keyBits
	n      uint32 // values numbered so far
	recent map[xxh3.Uint128]int64
	spill  *spill
}

func newFamily(table string, loadID int64, columns int, tmpDir string) (*family, error) {
	sp, err := newSpill(tmpDir, table, columns)
	if err != nil {
		return nil, err
	}
	return &family{table: table, base: loadID << keyBits, recent: make(map[xxh3.Uint128]int64), spill: sp}, nil
}

// key returns the key of the value with hash h, numbering it and spilling
// vals when it is not among the recent ones.
func (f *family) key(h xxh3.Uint128, vals []string) (int64, error) {
	if k, ok := f.recent[h]; ok {
		return k, nil
	}
	if f.n == 1<<keyBits-1 {
		return 0, errTooManyValues(f.table)
	}
	f.n++
	k := f.base | int64(f.n)
	if len(f.recent) >= maxRecent {
		clear(f.recent)
	}
	f.recent[h] = k
	return k, f.spill.put(k, vals)
}

// families are a load's four side tables.
type families struct {
	dims, descriptions, tags, resources *family
}

func newFamilies(loadID int64, tmpDir string) (*families, error) {
	fs := &families{}
	for _, t := range []struct {
		f    **family
		name string
		cols int
	}{
		{&fs.dims, "dims", numDims},
		{&fs.descriptions, "descriptions", 1},
		{&fs.tags, "tag_sets", 1},
		{&fs.resources, "resources", 1},
	} {
		f, err := newFamily(t.name, loadID, t.cols, tmpDir)
		if err != nil {
			fs.close()
			return nil, err
		}
		*t.f = f
	}
	return fs, nil
}

func (fs *families) all() []*family {
	return []*family{fs.dims, fs.descriptions, fs.tags, fs.resources}
}

// close removes the spill files.
func (fs *families) close() {
	for _, f := range fs.all() {
		if f != nil {
			f.spill.close()
		}
	}
}
