package azexport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
)

// legacyRegions maps the region names older exports write ("US East 2",
// "EU West"), with spaces removed and lower-cased, to the ARM region name.
var legacyRegions = map[string]string{
	"useast": "eastus", "useast2": "eastus2", "uswest": "westus", "uswest2": "westus2", "uswest3": "westus3",
	"uscentral": "centralus", "usnorthcentral": "northcentralus", "ussouthcentral": "southcentralus",
	"uswestcentral": "westcentralus", "euwest": "westeurope", "eunorth": "northeurope",
	"apeast": "eastasia", "apsoutheast": "southeastasia", "jaeast": "japaneast", "jawest": "japanwest",
	"aueast": "australiaeast", "ausoutheast": "australiasoutheast", "aucentral": "australiacentral",
	"brsouth": "brazilsouth", "caeast": "canadaeast", "cacentral": "canadacentral",
	"incentral": "centralindia", "insouth": "southindia", "inwest": "westindia",
	"krcentral": "koreacentral", "krsouth": "koreasouth", "frcentral": "francecentral", "frsouth": "francesouth",
	"dewestcentral": "germanywestcentral", "denorth": "germanynorth", "chnorth": "switzerlandnorth",
	"chwest": "switzerlandwest", "noeast": "norwayeast", "nowest": "norwaywest", "secentral": "swedencentral",
	"zanorth": "southafricanorth", "zawest": "southafricawest", "aenorth": "uaenorth", "aecentral": "uaecentral",
	"uksouth": "uksouth", "ukwest": "ukwest",
}

// regionID normalises a ResourceLocation to an ARM region name: lower case
// without spaces ("East US 2" → "eastus2"), older names translated ("US East
// 2" → "eastus2"). "Unassigned" and "Unknown" are no region.
func regionID(location string) string {
	var b strings.Builder
	for _, c := range location {
		switch {
		case c == ' ' || c == '\t':
		case c >= 'A' && c <= 'Z':
			b.WriteRune(c + 'a' - 'A')
		default:
			b.WriteRune(c)
		}
	}
	id := b.String()
	switch id {
	case "unassigned", "unknown", "n/a":
		return ""
	}
	if arm, ok := legacyRegions[id]; ok {
		return arm
	}
	return id
}

// parseTags reads the Tags cell: a JSON object of strings, or Azure's
// historical form without the outer braces (`"env": "prod","org": "trey"`).
// Empty cells and {} are no tags. Keys are kept as written; a value that is
// not a string keeps its JSON text; a null or empty value, or an empty key,
// is dropped (FOCUS tags need both). The result is sorted by key.
func parseTags(b []byte, into []cost.Tag) ([]cost.Tag, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return into, nil
	}
	if b[0] != '{' {
		b = append(append([]byte{'{'}, b...), '}')
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return into, errors.New("not a JSON object of tags (nor Azure's form without braces, \"key\": \"value\",…): " + err.Error())
	}
	if rest := bytes.TrimSpace(b[dec.InputOffset():]); len(rest) > 0 {
		return into, errors.New("text follows the JSON object of tags: " + strconv.Quote(string(rest)))
	}
	for k, v := range raw {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case nil:
			continue
		default:
			t, _ := json.Marshal(v)
			s = string(t)
		}
		if k != "" && s != "" {
			into = append(into, cost.Tag{Key: k, Value: s})
		}
	}
	slices.SortFunc(into, func(a, b cost.Tag) int { return strings.Compare(a.Key, b.Key) })
	return into, nil
}

// dayLayouts are the date forms Azure exports use: MM/DD/YYYY in EA files,
// ISO dates, and ISO timestamps in the older layout and MCA files.
var dayLayouts = []string{
	"01/02/2006", "1/2/2006", "2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05",
}

// errDate says which date forms are read.
var errDate = errors.New("is not a date: Azure exports write MM/DD/YYYY or YYYY-MM-DD, optionally with a time")

// parseDay reads a date cell and returns its day at 00:00 UTC. A time of
// day is dropped: cost details rows are daily.
func parseDay(s string) (time.Time, error) {
	for _, l := range dayLayouts {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		t = t.UTC()
		if t.Year() < 1970 || t.Year() > 9998 {
			return time.Time{}, fmt.Errorf("is in the year %d, which no Azure export holds", t.Year())
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, errDate
}

// dayCache remembers the last date a column held: a file has few dates, and
// its rows repeat them.
type dayCache struct {
	text string
	day  time.Time
}

func (c *dayCache) parse(b []byte) (time.Time, error) {
	if string(b) == c.text && !c.day.IsZero() {
		return c.day, nil
	}
	d, err := parseDay(string(b))
	if err != nil {
		return d, err
	}
	c.text, c.day = string(b), d
	return d, nil
}
