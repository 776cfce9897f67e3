#!/usr/bin/env bash
# Benchmarks plimsoll on the Kubernetes manifests and Terraform files of ../shared/corpus/real, and
# on the whole corpus as one directory (discovery included), against checkov (sampled and scaled
# by compare.py; the full run takes minutes). Also reports plimsoll's user/system CPU time on the
# whole corpus, which a busy machine does not inflate the way it inflates wall time.
# Usage: bench/infra.sh [RUNS]   (default 5). Needs ../shared and PyPI access for the peers.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shared=../shared
[[ -d $shared/bench ]] || { echo "skipped: $shared/bench not found"; exit 0; }
cargo build --release --quiet
peers=$(bash "$shared/bench/peers.sh")
python3 "$shared/bench/compare.py" --plimsoll target/release/plimsoll --peers-bin "$peers" \
  --kinds k8s,terraform,all --runs "$runs"
echo "whole corpus, $runs runs: wall s, user s, sys s, peak KiB"
for _ in $(seq "$runs"); do
  # plimsoll exits 1 on findings: the status is not the point here.
  { /usr/bin/time -f "%e %U %S %M" target/release/plimsoll check --format json "$shared/corpus/real" >/dev/null || true; } 2>&1 | tail -1
done
