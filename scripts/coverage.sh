#!/usr/bin/env bash
# Coverage of the test suite (npm run test:ts), the differential fuzzer (a
# short run) and the portable scripts, for finding what no test reaches:
# - the addon's Rust (crates/core and crates/node), built with LLVM's source
#   coverage (-C instrument-coverage) in continuous mode (counters in a mapped
#   file), so that vitest's worker processes, which are killed rather than
#   exit, and the tests' child processes all count;
# - the TypeScript (dist/cjs), from V8's own coverage (@vitest/coverage-v8).
# It runs in a clone of HEAD in a temporary directory, so this checkout's
# build is left as it is. Needs llvm-profdata and llvm-cov of rustc's LLVM
# (Debian's llvm-<major>, or rustup's llvm-tools).
#
#   npm run coverage [-- OUT_DIR]   (default coverage/: summary.txt,
#                                    rust-uncovered.txt, ts/coverage-final.json)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=$(realpath -m "${1:-coverage}")

major=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
tools=""
for dir in "/usr/lib/llvm-$major/bin" "$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"; do
  if [ -x "$dir/llvm-profdata" ] && [ -x "$dir/llvm-cov" ]; then tools=$dir; break; fi
done
if [ -z "$tools" ]; then
  echo "coverage: no llvm-profdata and llvm-cov of LLVM $major (rustc's): apt-get install llvm-$major, or rustup component add llvm-tools" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/prof"
echo "== a clone of HEAD in $work"
git clone -q "$root" "$work/repo"
cd "$work/repo"
npm install --no-audit --no-fund >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
vitest=$(node -p "require('vitest/package.json').version")
npm install --no-save --no-audit --no-fund "@vitest/coverage-v8@$vitest" >>"$work/install.log" 2>&1

echo "== the addon, instrumented"
RUSTFLAGS="-C instrument-coverage -C llvm-args=-runtime-counter-relocation" CARGO_TARGET_DIR="$work/target" \
  npx napi build --platform --release --manifest-path crates/node/Cargo.toml --output-dir native --js index.js --dts index.d.ts \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
addon=$(ls native/*.node)

# %p: one file per process; %c: continuous mode.
export LLVM_PROFILE_FILE="$work/prof/%p-%m%c.profraw"
echo "== the tests"
status=0
npx vitest run --coverage --coverage.provider=v8 --coverage.include='dist/cjs/**' \
  --coverage.reporter=json --coverage.reporter=text-summary --coverage.reportsDirectory="$out/ts" \
  >"$work/vitest.log" 2>&1 || status=$?
tail -n 12 "$work/vitest.log"
[ "$status" -eq 0 ] || echo "coverage: some tests failed (exit $status); the figures count what ran" >&2
echo "== the differential fuzzer (60 s) and the portable scripts"
npm run fuzz:diff -- --seconds 60 >/dev/null 2>&1 || echo "coverage: fuzz:diff found a mismatch (run it on its own)" >&2
for f in test/portable/*.mjs; do timeout 120 node "$f" >/dev/null 2>&1 || echo "coverage: $f failed" >&2; done

echo "== the Rust"
"$tools/llvm-profdata" merge -sparse "$work"/prof/*.profraw -o "$work/merged.profdata"
ignore='(\.cargo|/rustc/|/rustlib/)'
"$tools/llvm-cov" report "$addon" -instr-profile="$work/merged.profdata" --ignore-filename-regex="$ignore" \
  | sed "s#$work/repo/##" >"$out/summary.txt"
# Every line no run reached, by file, in runs of consecutive lines.
"$tools/llvm-cov" show "$addon" -instr-profile="$work/merged.profdata" --ignore-filename-regex="$ignore" \
  -show-instantiations=false -format=text \
  | awk -v strip="$work/repo/" '
      /^\/.*:$/ { file = substr($0, 1, length($0) - 1); sub(strip, "", file); next }
      match($0, /^ *[0-9]+\| *0\|/) { split($0, f, "|"); n = f[1] + 0
        if (file != shown) { print "== " file; shown = file; last = -1 }
        if (n != last + 1) print "  --"
        print; last = n }' >"$out/rust-uncovered.txt"
tail -n 1 "$out/summary.txt"
echo "coverage: $out/summary.txt (Rust by file), $out/rust-uncovered.txt, $out/ts/coverage-final.json (TypeScript)"
