#!/usr/bin/env bash
# Benchmarks plimsoll against its peers on ../shared/corpus/real, same files, same run.
# Usage: bench/run.sh [KINDS]   (default: workflows; e.g. dockerfiles,compose). Needs ../shared and network access to PyPI
# for the peers (installed by ../shared/bench/peers.sh into ~/.cache/plimsoll-peers).
set -euo pipefail
cd "$(dirname "$0")/.."
kinds=${1:-workflows}
shared=../shared
[[ -d $shared/bench ]] || { echo "skipped: $shared/bench not found"; exit 0; }
cargo build --release --quiet
peers=$(bash "$shared/bench/peers.sh")
python3 "$shared/bench/compare.py" --plimsoll target/release/plimsoll --peers-bin "$peers" --kinds "$kinds" --runs 5
# actionlint's own figure without its shellcheck and pyflakes integrations, on the same files.
if [[ ,$kinds, == *,workflows,* ]]; then
  python3 bench/actionlint_plain.py "$peers/actionlint"
fi
