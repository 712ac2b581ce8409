package main

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/csvscan"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// uploads loads the files uploaded to reckon serve (api.Ingester): the
// format formatFor finds in them, an ingest.Loader over the store as the
// upload guards it (the caller's rights and the audit, api.Upload.Store),
// and a cost.Registrar that makes new accounts the uploader's.
type uploads struct {
	store   ingest.Store
	tempDir string
	clock   cost.Clock
	loaded  func() // told after a load that committed rows; nil for none
}

var _ api.Ingester = (*uploads)(nil)

// Ingest loads path as reckon ingest --data does, with the caller's rights.
func (u *uploads) Ingest(ctx context.Context, path string, up api.Upload) ([]ingest.Report, error) {
	format, err := formatFor(path)
	if err != nil {
		return nil, fileError(err)
	}
	registrar := &cost.Registrar{Template: cost.Registration{Owner: up.User, Group: up.Group, Time: u.clock.Now()}}
	loader := ingest.Loader{Store: up.Store(storeFaults{u.store}), Format: format, Clock: u.clock, TempDir: u.tempDir,
		Report: up.Report, Replace: up.Replace, AllowEmpty: up.AllowEmpty, Register: registrar.Register}
	reports, err := loader.IngestPath(ctx, path)
	if u.loaded != nil && slices.ContainsFunc(reports, func(r ingest.Report) bool { return !r.Skipped }) {
		u.loaded()
	}
	if len(registrar.Skipped) > 0 && len(reports) > 0 {
		last := &reports[len(reports)-1]
		last.Warnings = append(last.Warnings, unregistrable(registrar.Skipped))
	}
	return reports, fileError(err)
}

// fileError gives an upload's error its code: what a reader refuses and a
// folder without an export's layout are the uploader's to fix (Invalid);
// the store's own failures are the server's.
func fileError(err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := errors.AsType[*csvscan.ParseError](err); ok {
		return cost.Errorf(cost.EInvalid, "%s", pe.Error())
	}
	if _, ok := errors.AsType[*cost.Error](err); ok {
		return err
	}
	if _, ok := errors.AsType[*storeFault](err); ok {
		return err
	}
	return cost.Errorf(cost.EInvalid, "%s", err.Error())
}

// storeFaults marks the errors of the store, which are not the upload's
// fault, unless they are a reader's (a row source's error passes through
// ReplacePeriods).
type storeFaults struct{ ingest.Store }

// storeFault is an error of the store.
type storeFault struct{ err error }

func (e *storeFault) Error() string { return e.err.Error() }
func (e *storeFault) Unwrap() error { return e.err }

func faulted(err error) error {
	if err == nil {
		return nil
	}
	return &storeFault{err}
}

func (s storeFaults) LoadedVersion(ctx context.Context, source string, period time.Time) (string, error) {
	v, err := s.Store.LoadedVersion(ctx, source, period)
	return v, faulted(err)
}

func (s storeFaults) ReplacePeriods(ctx context.Context, load cost.Load, rows cost.RowSource) (cost.LoadResult, error) {
	res, err := s.Store.ReplacePeriods(ctx, load, rows)
	return res, faulted(err)
}
