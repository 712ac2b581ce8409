package duckstore

import (
	"os"
	"syscall"
)

// crashPoint kills the process with SIGKILL when Options.CrashAt names this
// point. The crash tests use it to stop a real `reckon ingest` exactly there.
func (s *Store) crashPoint(name string) error {
	if s.opts.CrashAt == name {
		return syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	return nil
}
