#!/usr/bin/env bash
# Secrets benchmark: plimsoll against detect-secrets on ../shared/corpus/real, same files, same
# run, then the list of plimsoll's secret findings for review. Needs ../shared and PyPI access
# (detect-secrets is installed into ~/.cache/plimsoll-detect-secrets).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d ../shared/corpus/real ]] || { echo "skipped: ../shared absent"; exit 0; }
cargo build --release --quiet
python3 bench/secrets.py --list "$@"
