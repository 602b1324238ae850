#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: one libFuzzer binary per model.
# The targets (deploy/clusterfuzzlite/fuzzers) read an input exactly as the
# native go test -fuzz targets in scenarios/ do, so crash files and corpora
# are interchangeable and "faultsim import" turns a crash into a scenario.
cd "$SRC/faultsim"
pkg=github.com/faultsim/faultsim/deploy/clusterfuzzlite/fuzzers
# go-fuzz-build links its runtime package from the module graph.
go get github.com/dvyukov/go-fuzz/go-fuzz-dep
for target in $(grep -o '^func Fuzz[A-Za-z0-9]*' deploy/clusterfuzzlite/fuzzers/fuzzers.go | cut -d' ' -f2); do
  compile_go_fuzzer "$pkg" "$target" "$target"
  corpus="scenarios/testdata/fuzz/$target"
  if [ -d "$corpus" ]; then
    # The checked-in go test corpus, as the raw bytes libFuzzer reads.
    go run ./cmd/faultsim import --raw "$WORK/corpus-$target" "$corpus"/*
    zip -j "$OUT/${target}_seed_corpus.zip" "$WORK/corpus-$target"/*
  fi
done
