#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: one libFuzzer binary per model,
# built from the model's native go test fuzz target (Fuzz<Model> in
# models/<model>/fuzz_model_test.go) with compile_native_go_fuzzer, so a
# model added under models/ is fuzzed with no edit here. A libFuzzer input
# means what it means to the go test target, and "faultsim import --model M
# CRASHFILE" turns a crash into a scenario file.
cd "$SRC/faultsim"
for dir in models/*/; do
  model=$(basename "$dir")
  target="Fuzz$(tr '[:lower:]' '[:upper:]' <<< "${model:0:1}")${model:1}"
  grep -qs "^func $target(" "$dir"*_test.go || continue
  compile_native_go_fuzzer "github.com/faultsim/faultsim/$dir" "$target" "$target"
  corpus="$dir/testdata/fuzz/$target"
  if [ -d "$corpus" ]; then
    # The checked-in go test corpus, as the raw bytes libFuzzer reads.
    go run ./cmd/faultsim import --raw "$WORK/corpus-$target" "$corpus"/*
    zip -j "$OUT/${target}_seed_corpus.zip" "$WORK/corpus-$target"/*
  fi
done
