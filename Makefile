# faultsim: the two commands are `make run` (the main job) and `make test`.
GO ?= go
PKGS := ./...
# nft and iptables live in /usr/sbin on Debian.
export PATH := $(PATH):/usr/sbin:/sbin
# staticcheck at a pinned version, built by the go command on first use.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run test lint fmt-check vet staticcheck fidelity-tools race fuzz fuzz-smoke bench timeline-check

run:
	$(GO) run ./cmd/faultsim run scenarios/corpus
	$(GO) run ./cmd/faultsim campaign --duration 3s --out build/findings

# make test: gofmt, vet, staticcheck, the fidelity tools, go test -race, then
# a 30 s fuzz smoke per native fuzz target (about 6-8 minutes on 2 cores).
test: fmt-check vet staticcheck fidelity-tools race fuzz-smoke

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

# The fidelity tests need the real nft and iptables (installed when root).
fidelity-tools:
	scripts/install-fidelity-tools

race:
	$(GO) test -race -count=1 $(PKGS)

lint: fmt-check vet staticcheck

# Every native fuzz target of every package (one per model in scenarios/,
# whose failing inputs "faultsim import" turns into scenario files, and the
# models' own) for FUZZTIME each. Inputs are 8 bytes to a draw, so new inputs
# are minimised for a bounded number of runs, not go test's default 60 s.
FUZZTIME ?= 30s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=200x $$pkg; \
	  done; \
	done

# The fuzz smoke that ends make test: every native fuzz target, found by
# grepping *_test.go for func FuzzX, for FUZZSMOKE each with one fuzz worker,
# FUZZJOBS (default: the CPUs) at a time; fails listing the targets that
# failed.
FUZZSMOKE ?= 30s
fuzz-smoke:
	FUZZSMOKE=$(FUZZSMOKE) GO=$(GO) scripts/fuzz-smoke

bench:
	$(GO) test -run=^$$ -bench=. -benchmem $(PKGS)

# Render trace timelines in headless Chromium (installed with apt-get when
# missing) and check the screenshots and DOM show the lanes, arrows and
# violations of the traces; output in build/timeline-check/.
timeline-check:
	scripts/timeline-check
