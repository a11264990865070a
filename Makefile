# mxharness — see README.md. Every target works from a clean clone.
SHELL     := /bin/bash
GO        ?= go
BIN       ?= bin/mxharness
REDOCLY   ?= npx --yes @redocly/cli@2.77.0
SPECTRAL  ?= npx --yes @stoplight/spectral-cli@6.16.3
SPECS     := spec/sessions.yaml spec/control.yaml

.PHONY: build test lint vet fmt serve verify mutate bench bench-peers image fuzz

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/mxharness

# The README's test command: the whole suite, race detector on, random order. testsummary
# keeps go test's ok/FAIL lines and failing tests' output, lists each skipped test with what it
# needed, and ends with "N tests skipped: docker ×12, ..."; TEST_SKIP_ALLOW (CI) fails the run on
# any skip whose reason contains none of its comma-separated substrings.
TEST_SKIP_ALLOW ?=
test:
	set -o pipefail; $(GO) test -json -race -shuffle=on ./... | $(GO) run ./internal/testsummary -allow "$(TEST_SKIP_ALLOW)"

vet:
	$(GO) vet ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Static checks: formatting, vet, and both OpenAPI linters on the contract.
lint: fmt vet
	$(REDOCLY) lint --config spec/redocly.yaml $(SPECS)
	$(SPECTRAL) lint --ruleset spec/.spectral.yaml --fail-severity error $(SPECS)

serve:
	$(GO) run ./cmd/mxharness serve

verify:
	$(GO) run ./cmd/mxharness verify

# The mutation campaign: every mutant must be killed by the suite.
mutate:
	$(GO) run ./cmd/mxharness mutate

# The simulator as a container image: a static binary copied into FROM scratch (nothing to pull).
IMAGE ?= mxharness/simulator:dev
image: build
	docker build -t $(IMAGE) -f Dockerfile bin

# Every fuzz target of every package, each for FUZZTIME (bounded: CI runs this).
# A count, not a duration: Go 1.26's fuzz coordinator can fail a target with
# "context deadline exceeded" when a -fuzztime duration ends while a worker is
# busy (golang/go#75804, fixed in Go 1.27); a count has no deadline to race.
# 100,000 runs take 1-65 s per target on 2 cores.
FUZZTIME ?= 100000x
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The simulator beside the bare handler writing its bytes, Prism 5.16 and, with MAXSCALE=URL, a real
# MaxScale: the same closed-loop load on each, one markdown table (docs/PERFORMANCE.md).
MAXSCALE ?=
MAXSCALE_SQL ?=
BENCH_PEERS_FLAGS ?=
bench-peers:
	$(GO) run ./cmd/mxharness bench-peers $(if $(MAXSCALE),--maxscale $(MAXSCALE)) $(if $(MAXSCALE_SQL),--maxscale-sql $(MAXSCALE_SQL)) $(BENCH_PEERS_FLAGS)
