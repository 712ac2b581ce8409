package duckstore

import (
	"context"
	"database/sql"

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

// family numbers the values one load writes to one side table, and hands
// the new ones to its sink: a spill file that the load inserts after its
// rows (dims, which the load's registration reads in its own transaction),
// or a stream that inserts them meanwhile on a connection of its own.
type family struct {
	table  string
	base   int64  // loadID << keyBits
	n      uint32 // values numbered so far
	recent map[xxh3.Uint128]int64
	sink   interface {
		put(key int64, vals []string) error
	}
	spill  *spill      // or
	stream *sideStream // the sink
}

// key returns the key of the value with hash h, numbering it and handing
// vals to the sink when it is not among the recent ones.
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
	return k, f.sink.put(k, vals)
}

// families are a load's four side tables.
type families struct {
	dims, descriptions, tags, resources *family
}

func newFamilies(ctx context.Context, db *sql.DB, loadID int64, tmpDir string) (*families, error) {
	fs := &families{}
	sp, err := newSpill(tmpDir, "dims", numDims)
	if err != nil {
		return nil, err
	}
	fs.dims = &family{table: "dims", spill: sp, sink: sp}
	for _, t := range []struct {
		f    **family
		name string
	}{
		{&fs.descriptions, "descriptions"},
		{&fs.tags, "tag_sets"},
		{&fs.resources, "resources"},
	} {
		st, err := startStream(ctx, db, t.name)
		if err != nil {
			fs.close(ctx)
			return nil, err
		}
		*t.f = &family{table: t.name, stream: st, sink: st}
	}
	for _, f := range fs.all() {
		f.base, f.recent = loadID<<keyBits, make(map[xxh3.Uint128]int64)
	}
	return fs, nil
}

func (fs *families) all() []*family {
	return []*family{fs.dims, fs.descriptions, fs.tags, fs.resources}
}

// finishStreams waits for the streamed inserts to take the last values.
func (fs *families) finishStreams() error {
	for _, f := range fs.all() {
		if f.stream != nil {
			if err := f.stream.finish(); err != nil {
				return err
			}
		}
	}
	return nil
}

// commitStreams commits the streamed values, just before the load commits.
func (fs *families) commitStreams(ctx context.Context) error {
	for _, f := range fs.all() {
		if f.stream != nil {
			if err := f.stream.commit(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// close removes the spill file and ends the streams, rolling back what was
// not committed.
func (fs *families) close(ctx context.Context) {
	for _, f := range fs.all() {
		switch {
		case f == nil:
		case f.spill != nil:
			f.spill.close()
		case f.stream != nil:
			f.stream.close(ctx)
		}
	}
}
