#!/usr/bin/env bash
# Configures (first time only; Ninja re-runs CMake itself when CMakeLists change) and builds one kind of
# build into build/<kind>. Extra arguments go to `cmake --build` (e.g. --target whatsapp-inbox).
set -euo pipefail
# Test builds use -g1 (line tables only): enough for sanitizer stack traces, ~30 % faster to compile than -g.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { echo "usage: scripts/build.sh <release|debug|asan> [cmake --build args...]" >&2; }

kind=${1:-}
[[ $# -gt 0 ]] && shift
case $kind in
release) flags=(-DCMAKE_BUILD_TYPE=Release -DINBOX_BUILD_TESTS=OFF -DINBOX_SANITIZE=OFF) ;;
debug) flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g1" -DINBOX_BUILD_TESTS=ON -DINBOX_SANITIZE=OFF) ;;
asan) flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g1" -DINBOX_BUILD_TESTS=ON -DINBOX_SANITIZE=ON) ;;
-h | --help)
    usage
    exit 0
    ;;
*)
    usage
    exit 2
    ;;
esac

dir=$ROOT/build/$kind
start=$(date +%s)

# A cache made by another generator cannot be reused with Ninja: start that build dir over.
if [[ -f $dir/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
    echo "build: $dir was not configured with Ninja; reconfiguring from scratch"
    rm -rf "$dir"
fi
# build.ninja is written only by a successful configure, so a failed one is retried next time.
if [[ ! -f $dir/build.ninja ]]; then
    cmake -S "$ROOT" -B "$dir" -G Ninja "${flags[@]}" || {
        echo "build: configure of $kind FAILED" >&2
        exit 1
    }
fi

cmake --build "$dir" --parallel "$(nproc)" "$@"
echo "build: $kind done in $(($(date +%s) - start))s ($dir)"
