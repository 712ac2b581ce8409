package cost

import "time"

// CollectionInfo is what a connector's collections found, as the original
// connector reported it.
type CollectionInfo struct {
	LastChecked       time.Time        `json:"lastChecked"`                // the last collection that ran
	LastUpdated       time.Time        `json:"lastUpdated,omitzero"`       // the last one that loaded something
	SourceLastUpdated time.Time        `json:"sourceLastUpdated,omitzero"` // the newest report delivery seen
	Error             *CollectionError `json:"error,omitempty"`            // the last collection's failure
}

// CollectionError is a failed collection: its code, what to do, and when
// the failures began.
type CollectionError struct {
	Code      string    `json:"code"`
	Message   string    `json:"message"`
	StartTime time.Time `json:"startTime"`
}

// Record adds the outcome of a collection that started at started: loaded
// says whether it loaded anything, err its failure. A failure with the
// same code as the last keeps the time the failures began.
func (i *CollectionInfo) Record(started time.Time, loaded bool, sourceUpdated time.Time, err error) {
	i.LastChecked = started
	if loaded {
		i.LastUpdated = started
	}
	if sourceUpdated.After(i.SourceLastUpdated) {
		i.SourceLastUpdated = sourceUpdated
	}
	switch {
	case err == nil:
		i.Error = nil
	case i.Error != nil && i.Error.Code == ErrorCode(err):
		i.Error.Message = ErrorMessage(err) // the same failure goes on: keep its start
	default:
		i.Error = &CollectionError{Code: ErrorCode(err), Message: ErrorMessage(err), StartTime: started}
	}
}

// Copy returns a copy that shares nothing with i.
func (i CollectionInfo) Copy() CollectionInfo {
	if i.Error != nil {
		e := *i.Error
		i.Error = &e
	}
	return i
}
