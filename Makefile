# The README's test command is `make test`; .ci/run calls it after the linters.
.PHONY: test lint bench fuzz build

test:
	go test -count=1 ./...

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	go vet ./...
	staticcheck ./...

build:
	go build -o reckon ./cmd/reckon

bench: build
	./reckon bench ingest --rows 1000000

# Each fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	go test -run XXX -fuzz FuzzParse -fuzztime $(FUZZTIME) ./internal/decimal/
	go test -run XXX -fuzz FuzzReader -fuzztime $(FUZZTIME) ./internal/awscur/
	go test -run XXX -fuzz FuzzManifest -fuzztime $(FUZZTIME) ./internal/awscur/
	go test -run XXX -fuzz FuzzParseTime -fuzztime $(FUZZTIME) ./internal/awscur/
