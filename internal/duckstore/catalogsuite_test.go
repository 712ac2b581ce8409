package duckstore

import (
	"testing"

	"github.com/reckon-finops/reckon/internal/catalogtest"
	"github.com/reckon-finops/reckon/internal/cost"
)

// TestCatalogSuite runs the catalog's conformance suite against stores on
// disk, a new one for each test.
func TestCatalogSuite(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) cost.Catalog { return openStore(t, t.TempDir(), Options{}) })
}
