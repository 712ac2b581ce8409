package pgcatalog

import (
	"testing"

	"github.com/reckon-finops/reckon/internal/catalogtest"
)

// TestTheCatalogConformanceSuite runs the catalog's conformance suite
// (internal/catalogtest) against PostgreSQL, as duckstore runs it against
// DuckDB: a new database for each of its tests.
func TestTheCatalogConformanceSuite(t *testing.T) {
	catalogtest.Run(t, newCatalog)
}
