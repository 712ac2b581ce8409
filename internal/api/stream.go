package api

import (
	"io"
	"mime"
	"net/http"
)

// streamBody is a response written as it is produced (a CSV export of a
// year of resources), not held and encoded by reply. write gets a writer
// that sends the status and headers with the first byte: an error before
// it is answered as any other error; one after it cuts the response short,
// which the client sees as a broken transfer rather than a complete file.
type streamBody struct {
	contentType string
	fileName    string // the name a client saves it as (Content-Disposition); "" for none
	write       func(io.Writer) error
}

// lazyWriter sends the headers on the first write.
type lazyWriter struct {
	w           http.ResponseWriter
	status      int
	contentType string
	fileName    string
	started     bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.w.Header().Set("Content-Type", l.contentType)
		if l.fileName != "" {
			l.w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": l.fileName}))
		}
		l.w.WriteHeader(l.status)
	}
	return l.w.Write(p)
}

// stream writes a streamBody; it returns the status sent, and the error
// when nothing was sent yet (reply answers it instead).
func (s *Server) stream(w http.ResponseWriter, rt route, status int, body streamBody) (int, error) {
	lw := &lazyWriter{w: w, status: status, contentType: body.contentType, fileName: body.fileName}
	err := body.write(lw)
	if err == nil && !lw.started {
		lw.Write(nil) //nolint:errcheck // an empty answer still has its headers
	}
	if err == nil || !lw.started {
		return status, err
	}
	s.log.Error("stream cut short", "route", rt.Path, "err", err)
	panic(http.ErrAbortHandler) // the client must not take a cut stream for a whole one
}
