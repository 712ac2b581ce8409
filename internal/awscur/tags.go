package awscur

import (
	"slices"
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// mergeTags adds the non-empty entries of m, keys normalised by norm, to
// tags, keeping the result sorted with unique keys; an existing key wins.
func mergeTags(tags []cost.Tag, m map[string]string, norm func(string) string) []cost.Tag {
	for k, v := range m {
		key := norm(k)
		if v == "" || key == "" {
			continue
		}
		i, found := slices.BinarySearchFunc(tags, key, func(t cost.Tag, k string) int { return strings.Compare(t.Key, k) })
		if !found {
			tags = slices.Insert(tags, i, cost.Tag{Key: key, Value: v})
		}
	}
	return tags
}
