package synth

// distinct makes the row's description, resource ID and request tag unique,
// taking the row's random 52-character line item ID as the distinct part:
// "$0.0104 per On Demand Linux t3.micro Instance Hour" becomes
// "$0.0104 per On Demand Linux t3.micro Instance Hour (req 7dkq…)". Real CURs
// look like this where descriptions carry per-request amounts, resources are
// objects or requests, and tags are unique per resource.
func (w *worker) distinct() {
	r := &w.row
	id := r[cLineItemID]
	if len(id) == 0 {
		return
	}
	id = id[:20]
	r[cDescription] = w.suffixed(r[cDescription], " (req ", id, ")")
	if len(r[cResourceID]) == 0 {
		r[cResourceID] = w.suffixed([]byte("arn:aws:execute-api:request"), "/", id, "")
	} else {
		r[cResourceID] = w.suffixed(r[cResourceID], "/", id, "")
	}
	r[cTagRequest] = id
}

// suffixed appends pre+id+post to an already escaped cell in the row's
// scratch space, inside the closing quote of a quoted cell.
func (w *worker) suffixed(cell []byte, pre string, id []byte, post string) []byte {
	n := len(w.scratch)
	quoted := len(cell) >= 2 && cell[0] == '"'
	if quoted {
		cell = cell[:len(cell)-1]
	}
	w.scratch = append(w.scratch, cell...)
	w.scratch = append(w.scratch, pre...)
	w.scratch = append(w.scratch, id...)
	w.scratch = append(w.scratch, post...)
	if quoted {
		w.scratch = append(w.scratch, '"')
	}
	return w.scratch[n:]
}
