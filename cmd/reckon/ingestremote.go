package main

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// remoteIngest is what reckon ingest --server asks the server for.
type remoteIngest struct {
	group, report       string
	replace, allowEmpty bool
}

// ingestRemote uploads each path to the server, which loads it with the
// caller's rights, and prints the server's reports as a local ingest
// prints its own.
func ingestRemote(cmd *cobra.Command, server string, opts remoteIngest, paths []string) error {
	c, err := newAPIClient(server)
	if err != nil {
		return err
	}
	// An upload and its load may take longer than any other call: the
	// command's context bounds it, not a timeout.
	c.http = &http.Client{}
	out := cmd.OutOrStdout()
	for _, path := range paths {
		reports, err := c.upload(cmd.Context(), path, opts)
		for _, r := range reports {
			printReport(out, r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// upload sends one file as is, or a folder as a tar stream written as it
// is sent (no archive on disk), and returns the server's reports.
func (c *apiClient) upload(ctx context.Context, path string, opts remoteIngest) ([]ingest.Report, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	q := url.Values{"name": {filepath.Base(abs)}}
	if opts.group != "" {
		q.Set("group", opts.group)
	}
	if opts.report != "" {
		q.Set("report", opts.report)
	}
	if opts.replace {
		q.Set("replace", "true")
	}
	if opts.allowEmpty {
		q.Set("allowEmpty", "true")
	}
	var body io.Reader
	contentType, length := "application/octet-stream", int64(-1)
	if st.IsDir() {
		pr, pw := io.Pipe()
		defer pr.Close() // stops the writer when the request ends early
		go func() { pw.CloseWithError(writeTar(pw, abs)) }()
		body, contentType = pr, "application/x-tar"
	} else {
		f, err := os.Open(abs)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		defer f.Close()
		body, length = f, st.Size()
	}
	req, err := http.NewRequestWithContext(ctx, "POST", c.server+"/api/v1/ingest?"+q.Encode(), body)
	if err != nil {
		return nil, usageErrorf("--server %q: %v", c.server, err)
	}
	req.ContentLength = length
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	// The server refuses a caller without the rights, or a file past its
	// limit, before the body is sent.
	req.Header.Set("Expect", "100-continue")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("upload %s to %s: %w", path, c.server, err)
	}
	defer resp.Body.Close()
	// Both answers list the billing periods done: an error's, those done
	// before it.
	var answer api.ErrorBody
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&answer); err != nil {
		if resp.StatusCode >= 300 {
			return nil, fmt.Errorf("the server at %s answered %s", c.server, resp.Status)
		}
		return nil, fmt.Errorf("the server at %s sent an answer this reckon cannot read: %w", c.server, err)
	}
	reports := make([]ingest.Report, 0, len(answer.Value))
	for _, v := range answer.Value {
		r, err := fromWire(v)
		if err != nil {
			return reports, fmt.Errorf("the server at %s sent an answer this reckon cannot read: %w", c.server, err)
		}
		reports = append(reports, r)
	}
	if resp.StatusCode >= 300 {
		if answer.Error.Code == "" {
			return reports, fmt.Errorf("the server at %s answered %s", c.server, resp.Status)
		}
		return reports, cost.Errorf(answer.Error.Code, "%s", answer.Error.Message)
	}
	return reports, nil
}

// fromWire is a report as the server sent it, to print as a local one.
func fromWire(v api.IngestReport) (ingest.Report, error) {
	billed, err := decimal.Parse(string(v.BilledCost))
	if err != nil {
		return ingest.Report{}, fmt.Errorf("billedCost %q: %w", v.BilledCost, err)
	}
	return ingest.Report{Source: v.Source, Period: ingest.Period{Start: v.PeriodStart, End: v.PeriodEnd}, Version: v.Version,
		Skipped: v.Skipped, Rows: v.Rows, BilledCost: billed, Currency: v.Currency, Files: v.Files, Bytes: v.Bytes,
		Duration: time.Duration(v.DurationMs) * time.Millisecond, Replaced: v.Replaced, Warnings: v.Warnings,
		OutsidePeriod: v.OutsidePeriod}, nil
}

// writeTar writes the folder root to w as a tar stream: its folders and
// regular files, with paths relative to it. A symbolic link or any other
// kind of file is refused, as the server would refuse it.
func writeTar(w io.Writer, root string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil || rel == "." {
			return err
		}
		name := filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755, ModTime: info.ModTime()})
		case d.Type().IsRegular():
			return addFile(tw, path, name, info)
		}
		return fmt.Errorf("%s is %s: an upload holds only files and folders (reckon ingest --data reads such a folder where it is)",
			path, fileKind(d.Type()))
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// addFile writes one regular file to the tar stream, as large as it was
// when listed.
func addFile(tw *tar.Writer, path, name string, info fs.FileInfo) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: info.Size(), ModTime: info.ModTime()}); err != nil {
		return err
	}
	if _, err := io.CopyN(tw, f, info.Size()); err != nil {
		return fmt.Errorf("read %s: %w (did it change while it was sent?)", path, err)
	}
	return nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file (mode " + strconv.FormatUint(uint64(m), 8) + ")"
}
