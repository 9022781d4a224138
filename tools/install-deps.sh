#!/usr/bin/env bash
# Installs every Debian (bookworm) package ledgerdesk needs to build, run and test. Idempotent, and
# quiet when nothing is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache
  # libraries
  protobuf-compiler libprotobuf-dev librocksdb-dev libabsl-dev libpoco-dev libssl-dev librdkafka-dev
  libhpdf-dev libsodium-dev fonts-dejavu-core libpq-dev libgoogle-perftools-dev liblz4-dev
  # tests: GoogleTest, clang + its runtime for libFuzzer, kcat as an outside Kafka client,
  # pdftotext for checking PDFs, a PostgreSQL server for the migrator's legacy-source tests
  libgtest-dev libgmock-dev clang libclang-rt-14-dev kcat poppler-utils postgresql
  # benchmarks: RocksDB's db_bench beside the projection rebuild; wrk, nginx, curl and jq for
  # tools/bench-api.sh
  rocksdb-tools wrk nginx curl jq
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
