#!/usr/bin/env bash
# CI smoke of the benchmark harness: a few seconds of load, asserting zero errors (not speed).
# Uses the already-built test tree (INBOX_BUILD_DIR, set by scripts/test.sh) to avoid another build.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exec bash "$ROOT/loadtest/bench.sh" --smoke --scenario health --build-dir "${INBOX_BUILD_DIR:-$ROOT/build/asan}"
