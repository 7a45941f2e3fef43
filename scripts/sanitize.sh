#!/usr/bin/env bash
# The memory checkers over the native code:
# 1. the core's tests (cargo test -p bsdsock-core) built with AddressSanitizer
#    (nightly -Zsanitizer=address; LeakSanitizer runs at exit), in target/asan;
# 2. scripts/sanitize-workload.js (the addon's paths: socketpairs, SCM_RIGHTS,
#    UDP, TCP, the resolver, select/poll/epoll, asyncio) under valgrind
#    memcheck with the release addon Node loads. Any invalid read or write,
#    use of uninitialised memory or definite leak fails (--error-exitcode).
#    No suppressions are needed with Node 20: what Node and V8 keep at exit is
#    still reachable or "possibly lost" (thread stacks, V8's heap), which
#    memcheck does not count as errors here; a definite leak anywhere fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup toolchain list | grep '^nightly' >/dev/null; then
  rustup toolchain install nightly --profile minimal
fi
host=$(rustc -vV | sed -n 's/^host: //p')

echo "== AddressSanitizer: cargo test -p bsdsock-core"
RUSTFLAGS="-Zsanitizer=address" RUSTDOCFLAGS="-Zsanitizer=address" \
  ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  CARGO_TARGET_DIR=target/asan \
  cargo +nightly test -p bsdsock-core --lib --tests --target "$host"

echo "== valgrind memcheck: node scripts/sanitize-workload.js"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
SANITIZE_ROUNDS=${SANITIZE_ROUNDS:-2} valgrind --error-exitcode=99 --leak-check=full \
  --show-leak-kinds=definite --errors-for-leak-kinds=definite --num-callers=40 \
  --log-file="$log" node scripts/sanitize-workload.js || status=$?
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost' "$log" || true
if [ "$status" -ne 0 ]; then
  cat "$log" >&2
  echo "valgrind: the workload failed or memcheck found errors (exit $status)" >&2
  exit 1
fi
echo "sanitize: ok"
