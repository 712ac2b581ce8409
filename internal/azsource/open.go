package azsource

import (
	"fmt"
	"io"
	"sync"

	"github.com/reckon-finops/reckon/internal/awscur"
	"github.com/reckon-finops/reckon/internal/azexport"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/focusfile"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// fileInfo is what the opener knows of a file of a delivery: the part it
// plays and what its manifest promised.
type fileInfo struct {
	run   *run
	file  runFile
	load  *loadState
	index int // in the delivery's files
}

// loadState follows one delivery's files as they are read, to reconcile
// the actual and amortized exports and check row counts once all are read.
type loadState struct {
	group *group
	files []*fileInfo
	mu    sync.Mutex
	read  map[int]fileSums // by index, as each file reaches its end
}

// fileSums is what one file held, counted as it was read to its end.
type fileSums struct {
	rows      int64
	billed    decimal.Decimal // every row's BilledCost as the file states it
	effective decimal.Decimal // every row's EffectiveCost as the file states it
	kept      decimal.Decimal // BilledCost of the rows loaded
}

// registry maps the names a Format's or Remote's deliveries give their
// files to what the opener knows of them.
type registry struct {
	mu    sync.Mutex
	files map[string]*fileInfo
}

// register records the groups' deliveries, their files named by name.
func (reg *registry) register(gs []*group, name func(string) string) []*ingest.Delivery {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.files = map[string]*fileInfo{} // the last listing's files only: a server lists every 6 hours
	out := make([]*ingest.Delivery, 0, len(gs))
	for _, g := range gs {
		d := g.delivery(name)
		st := &loadState{group: g, read: map[int]fileSums{}}
		for _, r := range g.runs() {
			for _, f := range r.files {
				fi := &fileInfo{run: r, file: f, load: st, index: len(st.files)}
				st.files = append(st.files, fi)
				reg.files[name(f.name)] = fi
			}
		}
		out = append(out, d)
	}
	return out
}

func (reg *registry) lookup(name string) *fileInfo {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.files[name]
}

// open reads a file of a delivery the registry knows; a file it does not
// know is read as an actual export's on its own (a single file).
func (reg *registry) open(r io.Reader, name string, size int64) (ingest.RowReader, error) {
	fi := reg.lookup(name)
	if fi == nil {
		fi = singleFile(name)
	}
	zr, err := awscur.DecompressSized(r, size)
	if err != nil {
		return nil, &azexport.ParseError{File: name, Problem: err.Error()}
	}
	rr := &rows{info: fi, zr: zr, name: name}
	switch fi.run.dataset {
	case FocusCost:
		rr.focus, err = focusfile.NewReader(zr, name)
	default:
		rr.cost, err = azexport.NewReader(zr, name, azexport.Options{Amortized: fi.run.dataset == AmortizedCost})
	}
	if err != nil {
		zr.Close()
		return nil, err
	}
	return rr, nil
}

// singleFile is the part a file outside any layout plays: one actual export
// file, alone.
func singleFile(name string) *fileInfo {
	r := &run{dataset: ActualCost, rows: -1, files: []runFile{{name: name, bytes: -1, rows: -1}}}
	fi := &fileInfo{run: r, file: r.files[0]}
	fi.load = &loadState{group: &group{actual: r}, files: []*fileInfo{fi}, read: map[int]fileSums{}}
	return fi
}

// rows reads one file's rows. In an actual export read beside its
// amortized one it passes on only the commitment purchases and refunds,
// which the amortized export lacks, with EffectiveCost 0: FOCUS spreads a
// commitment's cost over the usage it covers, which the amortized rows hold.
type rows struct {
	info  *fileInfo
	name  string
	zr    io.ReadCloser
	cost  *azexport.Reader
	focus *focusfile.Reader
	sums  fileSums
	done  bool
	extra []string // warnings of the delivery, given with the last file's
}

func (r *rows) Next() (*cost.Row, error) {
	for {
		row, err := r.next()
		if err == io.EOF {
			if ferr := r.finish(); ferr != nil {
				return nil, ferr
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		r.sums.rows++
		var ok1, ok2, ok3 bool
		r.sums.billed, ok1 = r.sums.billed.AddChecked(row.BilledCost)
		r.sums.effective, ok2 = r.sums.effective.AddChecked(row.EffectiveCost)
		if r.onlyPurchases() {
			if row.ChargeCategory != cost.ChargePurchase || row.CommitmentDiscountType == "" {
				if !ok1 || !ok2 {
					return nil, r.overflow()
				}
				continue
			}
			row.EffectiveCost = decimal.Zero
		}
		r.sums.kept, ok3 = r.sums.kept.AddChecked(row.BilledCost)
		if !ok1 || !ok2 || !ok3 {
			return nil, r.overflow()
		}
		return row, nil
	}
}

// onlyPurchases is true for an actual export's file read with its amortized
// export's.
func (r *rows) onlyPurchases() bool {
	g := r.info.load.group
	return r.info.run == g.actual && g.amortized != nil
}

func (r *rows) next() (*cost.Row, error) {
	if r.focus != nil {
		return r.focus.Next()
	}
	return r.cost.Next()
}

func (r *rows) overflow() error {
	return &azexport.ParseError{File: r.name, Line: r.Line(), Problem: "the file's costs add up to 10^20 or more, which no bill holds"}
}

func (r *rows) Line() int {
	if r.focus != nil {
		return r.focus.Line()
	}
	return r.cost.Line()
}

func (r *rows) Warnings() []string {
	var out []string
	if r.focus != nil {
		for _, w := range r.focus.Warnings() {
			out = append(out, w.String())
		}
	} else {
		for _, w := range r.cost.Warnings() {
			out = append(out, w.String())
		}
	}
	return append(out, r.extra...)
}

func (r *rows) Close() error { return r.zr.Close() }

// finish checks the file's rows against its manifest, records its sums, and
// at the delivery's last file checks each run's rows and reconciles.
func (r *rows) finish() error {
	if r.done {
		return nil
	}
	r.done = true
	fi := r.info
	if want := fi.file.rows; want >= 0 && want != r.sums.rows {
		return &azexport.ParseError{File: r.name, Line: r.Line(), Problem: fmt.Sprintf(
			"the file has %d data rows but the manifest %s says %d: it was cut short or is not the file the run wrote; run the export again",
			r.sums.rows, fi.run.origin, want)}
	}
	st := fi.load
	st.mu.Lock()
	defer st.mu.Unlock()
	st.read[fi.index] = r.sums
	if fi.index != len(st.files)-1 || len(st.read) != len(st.files) {
		return nil
	}
	if err := st.checkRunRows(r.name, r.Line()); err != nil {
		return err
	}
	r.extra = st.reconcile()
	return nil
}

// checkRunRows compares each run's rows with its manifest's dataRowCount.
func (st *loadState) checkRunRows(name string, line int) error {
	got := map[*run]int64{}
	for i, fi := range st.files {
		got[fi.run] += st.read[i].rows
	}
	for _, rn := range st.group.runs() {
		if rn.rows >= 0 && got[rn] != rn.rows {
			return &azexport.ParseError{File: name, Line: line, Problem: fmt.Sprintf(
				"the run's files hold %d data rows but its manifest %s says %d: a file was cut short or is missing; run the export again",
				got[rn], rn.origin, rn.rows)}
		}
	}
	return nil
}

// reconcile returns the delivery's warnings: runs left out, what a lone
// actual or amortized export cannot give, and, with both, whether the rows
// loaded bill the actual export's total and cost the amortized export's.
func (st *loadState) reconcile() []string {
	g := st.group
	out := append([]string(nil), g.notes...)
	var actual, amortized fileSums
	for i, fi := range st.files {
		s := st.read[i]
		switch fi.run {
		case g.actual:
			actual.billed = actual.billed.Add(s.billed)
			actual.kept = actual.kept.Add(s.kept)
		case g.amortized:
			amortized.effective = amortized.effective.Add(s.effective)
			amortized.kept = amortized.kept.Add(s.kept)
		}
	}
	switch {
	case g.actual != nil && g.amortized != nil:
		loaded := amortized.kept.Add(actual.kept)
		if loaded.Cmp(actual.billed) != 0 {
			out = append(out, fmt.Sprintf("%s %s: the rows loaded bill %s, but actual export %s totals %s (difference %s): "+
				"the two exports ran at different times or disagree; EffectiveCost is amortized export %s's %s. Run both exports again to reconcile",
				scopeName(g.actual), g.actual.period, loaded, g.actual.export, actual.billed, loaded.Sub(actual.billed), g.amortized.export, amortized.effective))
		}
	case g.actual != nil && g.actual.export != "": // not a single file
		out = append(out, fmt.Sprintf("%s %s: only actual export %s was found, so EffectiveCost is BilledCost: reservation and savings plan "+
			"purchases are not spread over the usage they cover. Add an AmortizedCost export of the same scope to the container",
			scopeName(g.actual), g.actual.period, g.actual.export))
	case g.amortized != nil:
		out = append(out, fmt.Sprintf("%s %s: only amortized export %s was found, so BilledCost lacks reservation and savings plan "+
			"purchases and refunds, which only an actual export holds. Add an ActualCost export of the same scope to the container",
			scopeName(g.amortized), g.amortized.period, g.amortized.export))
	}
	return out
}

func scopeName(r *run) string {
	if r.scope == "" {
		return "export " + r.export
	}
	return "scope " + r.scope
}
