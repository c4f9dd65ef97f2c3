#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and scripts/run.sh need; installs only what is missing,
# so a second run is a no-op that never touches the network.
set -euo pipefail

PACKAGES=(
    build-essential cmake ninja-build pkg-config
    # Exactly Boost 1.81: never libboost-dev, which is 1.74 and conflicts with these.
    libboost1.81-dev libboost-url1.81-dev
    libpqxx-dev libhiredis-dev nlohmann-json3-dev libspdlog-dev libssl-dev libcpp-jwt-dev
    libjemalloc-dev  # the server's allocator: see docs/PERFORMANCE.md
    libgtest-dev libgmock-dev
    # Servers and tools for tests, benchmarks and the run command (pgbench is in postgresql-contrib).
    postgresql postgresql-contrib redis-server openssl curl nginx-light
    haproxy  # scripts/run.sh --instances N and the scale scenario (loadtest/scale.sh): instances behind one address
    # The OpenAPI contract test (tests/contract/) and the web inbox's browser test (tests/browser/, headless).
    python3 python3-yaml python3-jsonschema chromium chromium-driver python3-selenium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    # db:Status-Status is "installed" only for a fully installed package (not config-files / half-installed).
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Quiet unless something fails; then the apt output is the useful part.
if ! { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"; } >"$log" 2>&1 </dev/null; then
    cat "$log" >&2
    echo "deps: FAILED installing: ${missing[*]}" >&2
    exit 1
fi
echo "deps: installed ${#missing[@]} package(s): ${missing[*]}"
