package storetest

import (
	"testing"

	"github.com/reckon-finops/reckon/internal/cost"
)

// LoadFixture loads the suite's fixture into s, perPeriod rows of each
// billing account's month (one source per account), and returns the rows
// it loaded: a backend's test may load it into two stores and compare what
// they write of it (a Parquet export).
func LoadFixture(t *testing.T, s Store, perPeriod int) []*cost.Row {
	t.Helper()
	return loadAll(t, s, perPeriod).rows
}
