#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ (cargo-fuzz, libFuzzer with AddressSanitizer)
# for a bounded time and prints the executions of each. FUZZ_SECONDS is the
# total budget (default 63), shared evenly between the targets; a target that
# finds a crash stops the run with its artifact in fuzz/artifacts/<target>/.
# Needs a nightly toolchain and cargo-fuzz; installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

if ! rustup toolchain list | grep '^nightly' >/dev/null; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi

targets=$(cargo +nightly fuzz list)
count=$(echo "$targets" | wc -l)
total=${FUZZ_SECONDS:-63}
each=$(( total / count > 0 ? total / count : 1 ))

cargo +nightly fuzz build
summary=""
for t in $targets; do
  mkdir -p "corpus/$t"
  log=$(mktemp)
  echo "== $t: ${each}s"
  if ! cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$each" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $t failed (artifact in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || echo "?")
  files=$(find "corpus/$t" -type f | wc -l)
  summary+=$(printf '%-10s %10s executions  %6s coverage  %5s corpus inputs' "$t" "$runs" "$cov" "$files")$'\n'
  rm -f "$log"
done
echo
echo "fuzz: ${each}s per target"
printf '%s' "$summary"
