package duckstore

import (
	"testing"

	"github.com/reckon-finops/reckon/internal/storetest"
)

// TestTheStoreConformanceSuite runs the cost store's conformance suite
// (internal/storetest) against DuckDB on disk, as it runs against every
// backend.
func TestTheStoreConformanceSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openStore(t, t.TempDir(), Options{}) })
}
