# faultsim: the two commands are `make run` (the main job) and `make test`.
GO ?= go
PKGS := ./...
# nft and iptables live in /usr/sbin on Debian.
export PATH := $(PATH):/usr/sbin:/sbin
# staticcheck at a pinned version, built by the go command on first use.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run test test-long lint fmt-check vet staticcheck fidelity-tools install-fidelity-tools race race-long fuzz fuzz-smoke bench timeline-check reference

run:
	$(GO) run ./cmd/faultsim run scenarios/corpus
	$(GO) run ./cmd/faultsim campaign --duration 2s --force --out build/findings

# make test: gofmt, vet, staticcheck, a check that the fidelity tests' tools
# are installed, go test -race -short (every package's tests, the long suites
# at their -short sizes), then a 4 s fuzz smoke per native fuzz target
# (the aim: under 6 minutes from a cold clone on 2 cores; README says what
# it takes). It changes nothing on the
# host outside temporary directories, the fidelity tests' private network
# namespaces and their private cgroup subtree; it installs nothing: as root,
# run `make install-fidelity-tools` first (Debian's nftables and iptables).
test: fmt-check vet staticcheck fidelity-tools race fuzz-smoke

# make test-long: the same with the long suites at full size (go test -race
# without -short: 1,000 determinism scenarios per model, every rapid seed
# and check, full campaigns).
test-long: fmt-check vet staticcheck fidelity-tools race-long fuzz-smoke

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# vet and staticcheck load the packages built with -race, as go test -race
# builds them: from a cold cache the dependencies are compiled once for all
# three, not twice. No file of this module has a race build constraint, so
# they check the same code (staticcheck tags its findings "[race]").
vet:
	$(GO) vet -race $(PKGS)

staticcheck:
	echo 'race: -race' | $(GO) run $(STATICCHECK) -matrix $(PKGS)

# The fidelity tests need the real nft and iptables: fidelity-tools checks
# they are there (failing early, naming the fix, when root lacks them);
# install-fidelity-tools installs Debian's packages (apt-get, as root).
fidelity-tools:
	scripts/install-fidelity-tools --check

install-fidelity-tools:
	scripts/install-fidelity-tools

# Four test binaries at a time, not one per core: the tests wait on real
# tools, child processes and timers about a quarter of the time, which the
# third and fourth fill.
race:
	$(GO) test -race -short -count=1 -p 4 $(PKGS)

race-long:
	$(GO) test -race -count=1 $(PKGS)

lint: fmt-check vet staticcheck

# Every native fuzz target of every package (Fuzz<Model> in each models/<m>,
# built by scenarios/scenariotest, whose failing inputs "faultsim import"
# turns into scenario files; the models' own; scenarios' FuzzParse;
# cmd/faultsim's FuzzFlags) for FUZZTIME each. Inputs are 8 bytes to a draw, so new inputs
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
# failed. Its purpose is that every target builds, runs its seed corpus and
# fuzzes a little without finding anything: searching is make fuzz's job.
FUZZSMOKE ?= 4s
fuzz-smoke:
	FUZZSMOKE=$(FUZZSMOKE) GO=$(GO) scripts/fuzz-smoke

# REFERENCE.md, every key, operation and fault of every model, generated
# from the schemas (a test fails when it is out of date).
reference:
	$(GO) run ./cmd/faultsim list reference > REFERENCE.md

bench:
	$(GO) test -run=^$$ -bench=. -benchmem $(PKGS)

# Render trace timelines in headless Chromium (installed with apt-get when
# missing) and check the screenshots and DOM show the lanes, arrows and
# violations of the traces; output in build/timeline-check/.
timeline-check:
	scripts/timeline-check
