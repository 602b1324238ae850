# faultsim: the two commands are `make run` (the main job) and `make test`.
GO ?= go
PKGS := ./...
# staticcheck at a pinned version, built by the go command on first use.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run test lint fmt-check vet staticcheck race fuzz bench timeline-check

run:
	$(GO) run ./cmd/faultsim run scenarios/corpus
	$(GO) run ./cmd/faultsim campaign --duration 3s --out build/findings

test: fmt-check vet staticcheck race

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

race:
	$(GO) test -race -count=1 $(PKGS)

lint: fmt-check vet staticcheck

fuzz:
	$(GO) test -run=^$$ -fuzz=FuzzHostport -fuzztime=30s ./models/hostport
	$(GO) test -run=^$$ -fuzz=FuzzSignals -fuzztime=30s ./models/signals
	$(GO) test -run=^$$ -fuzz=FuzzSpecJSON -fuzztime=30s ./models/annotations

bench:
	$(GO) test -run=^$$ -bench=. -benchmem $(PKGS)

# Render trace timelines in headless Chromium (installed with apt-get when
# missing) and check the screenshots and DOM show the lanes, arrows and
# violations of the traces; output in build/timeline-check/.
timeline-check:
	scripts/timeline-check
