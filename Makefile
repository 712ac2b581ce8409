# The README's test command is `make test`; .ci/run calls it after the linters.
.PHONY: test lint bench fuzz build probe

test:
	go test -count=1 ./...

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	go vet ./...
	staticcheck ./...

build:
	go build -o reckon ./cmd/reckon

# Replays issue 8's hostile inputs against a binary built from this tree,
# each within a time bound (cmd/reckon/probe_test.go).
probe:
	go test -tags probe -count=1 -run TestProbe -v ./cmd/reckon

bench: build
	./reckon bench ingest --rows 1000000

# Each fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	go test -run XXX -fuzz FuzzParse -fuzztime $(FUZZTIME) ./internal/decimal/
	go test -run XXX -fuzz FuzzReader -fuzztime $(FUZZTIME) ./internal/awscur/
	go test -run XXX -fuzz FuzzManifest -fuzztime $(FUZZTIME) ./internal/awscur/
	go test -run XXX -fuzz FuzzParseTime -fuzztime $(FUZZTIME) ./internal/isotime/
	go test -run XXX -fuzz '^FuzzScanner$$' -fuzztime $(FUZZTIME) ./internal/csvscan/
	go test -run XXX -fuzz FuzzAddSub -fuzztime $(FUZZTIME) ./internal/decimal/
	go test -run XXX -fuzz FuzzCompileQuery -fuzztime $(FUZZTIME) ./internal/duckstore/
	go test -run XXX -fuzz FuzzFilterExpression -fuzztime $(FUZZTIME) ./internal/duckstore/
	go test -run XXX -fuzz FuzzValueListing -fuzztime $(FUZZTIME) ./internal/duckstore/
	go test -run XXX -fuzz FuzzAzureBody -fuzztime $(FUZZTIME) ./internal/api/
	go test -run XXX -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) ./internal/azexport/
	go test -run XXX -fuzz '^FuzzParseAmount$$' -fuzztime $(FUZZTIME) ./internal/azexport/
	go test -run XXX -fuzz '^FuzzParseTags$$' -fuzztime $(FUZZTIME) ./internal/azexport/
	go test -run XXX -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) ./internal/focusfile/
	go test -run XXX -fuzz FuzzWriterRoundTrip -fuzztime $(FUZZTIME) ./internal/focusfile/
	go test -run XXX -fuzz FuzzEntryPath -fuzztime $(FUZZTIME) ./internal/api/
	go test -run XXX -fuzz FuzzUntar -fuzzminimizetime 5s -fuzztime $(FUZZTIME) ./internal/api/
	go test -run XXX -fuzz FuzzParseManifest -fuzztime $(FUZZTIME) ./internal/azsource/
	go test -run XXX -fuzz FuzzOldExportFile -fuzztime $(FUZZTIME) ./internal/azsource/
	go test -run XXX -fuzz FuzzNewestManifests -fuzztime $(FUZZTIME) ./internal/azsource/
	go test -run XXX -fuzz FuzzParseFilter -fuzztime $(FUZZTIME) ./internal/cost/
	go test -run XXX -fuzz FuzzResolveKey -fuzztime $(FUZZTIME) ./internal/cursource/
	go test -run XXX -fuzz FuzzValidName -fuzztime $(FUZZTIME) ./internal/cost/
	go test -run XXX -fuzz FuzzParseScopeID -fuzztime $(FUZZTIME) ./internal/cost/
	go test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/iampolicy/
	go test -run XXX -fuzz FuzzBudgetBody -fuzztime $(FUZZTIME) ./internal/api/
	go test -run XXX -fuzz FuzzDetect -fuzztime $(FUZZTIME) ./internal/anomaly/
	go test -run XXX -fuzz FuzzVerify -fuzztime $(FUZZTIME) ./internal/notify/
	go test -run XXX -fuzz FuzzValidateURL -fuzzminimizetime 3s -fuzztime $(FUZZTIME) ./internal/notify/
	go test -run XXX -fuzz FuzzReadConfig -fuzztime $(FUZZTIME) ./cmd/reckon/
	go test -run XXX -fuzz FuzzParseNotify -fuzztime $(FUZZTIME) ./cmd/reckon/
	go test -run XXX -fuzz FuzzReadRates -fuzztime $(FUZZTIME) ./cmd/reckon/
