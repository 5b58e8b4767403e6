#!/usr/bin/env bash
# Runs a fuzz target, or every target, for SECONDS each on the installed stable toolchain:
#
#   scripts/fuzz.sh verify_token 60
#   scripts/fuzz.sh all 45            # what CI runs on every change
#
# FUZZ_SANITIZER (default `address`) is cargo-fuzz's --sanitizer: CI uses `none`, which builds and
# runs faster (the crates forbid unsafe code; AddressSanitizer watches the C of the crypto backend,
# which the campaigns in FUZZING.md cover).
#
# New inputs go to fuzz/work/corpus/<target> (not checked in; the checked-in seeds in
# fuzz/corpus/<target> are read, never written); a crashing input goes to
# fuzz/artifacts/<target>/ and the script fails. Add a finding's input to fuzz/corpus/<target> once
# it is fixed: tests/tests/fuzz_corpus.rs replays every seed with the target's checks.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

if [ $# -ne 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS" >&2
  exit 2
fi
target=$1
seconds=$2

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
# cargo-fuzz passes nightly-only compiler flags (the sanitizer, libFuzzer's coverage options).
# RUSTC_BOOTSTRAP=1 lets the stable compiler accept them; no nightly toolchain can be installed here.
export RUSTC_BOOTSTRAP=1

if [ "$target" = all ]; then
  mapfile -t targets < <(cargo fuzz list)
else
  targets=("$target")
fi

sanitizer=${FUZZ_SANITIZER:-address}
cargo fuzz build --sanitizer "$sanitizer"
for t in "${targets[@]}"; do
  mkdir -p "work/corpus/$t" "artifacts/$t"
  echo "== $t: ${seconds}s"
  status=0
  cargo fuzz run --sanitizer "$sanitizer" "$t" "work/corpus/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -artifact_prefix="artifacts/$t/" -print_final_stats=1 \
    >"work/$t.log" 2>&1 || status=$?
  grep -E '^stat::(number_of_executed_units|new_units_added)|DONE' "work/$t.log" || true
  if [ "$status" -ne 0 ] || compgen -G "artifacts/$t/*" >/dev/null; then
    tail -n 60 "work/$t.log" >&2
    echo "error: $t failed (exit $status); failing inputs: $(ls artifacts/"$t"/ 2>/dev/null)" >&2
    exit 1
  fi
done
