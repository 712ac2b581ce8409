package main

import (
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// formatFor returns the format that reads path, a file or a folder, by
// looking at what it holds: a CUR (manifests, lineItem/ columns), an Azure
// cost export or a FOCUS file. Issue 10 fills in the detection; today every
// path is a CUR.
func formatFor(path string) (ingest.Format, error) {
	_ = path
	return cursource.Format{}, nil
}
