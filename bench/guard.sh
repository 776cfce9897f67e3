#!/usr/bin/env bash
# Benchmarks `plimsoll guard` on a repository with 100 workflows across two revisions.
# Usage: bench/guard.sh [RUNS]   (default 20). Needs git and python3; builds the release binary.
# The repository is generated in a temporary folder: 100 workflows of 3 jobs each (a matrix,
# 8 steps, quality commands), and a second commit that edits every workflow (a flag dropped in
# half of them, a job removed in a quarter, steps renamed in the rest) plus 50 source files.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release --quiet
bin=$PWD/target/release/plimsoll
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git -C "$repo" init -q -b main
mkdir -p "$repo/.github/workflows" "$repo/src"
workflow() { # $1 = index, $2 = variant (base|flag|job|rename)
  local i=$1 variant=$2 features="--all-features" name="Test"
  [[ $variant == flag ]] && features=""
  [[ $variant == rename ]] && name="Run the tests"
  cat <<YAML
name: ci-$i
on:
  push:
    branches: [main, 'release/**']
  pull_request:
  schedule:
    - cron: '0 $((i % 24)) * * *'
jobs:
  test:
    runs-on: \${{ matrix.os }}
    timeout-minutes: 30
    strategy:
      matrix:
        os: [ubuntu-24.04, windows-2022, macos-14]
        toolchain: [stable, beta, 1.80.0]
        exclude:
          - os: macos-14
            toolchain: beta
        include:
          - os: ubuntu-24.04
            toolchain: nightly
            experimental: true
    steps:
      - uses: actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3
      - uses: dtolnay/rust-toolchain@1.80.0
      - uses: Swatinem/rust-cache@v2
      - name: $name
        run: cargo test $features --workspace
      - name: Lint
        run: |
          cargo clippy --all-targets -- -D warnings
          cargo fmt --check
      - name: Docs
        run: cargo doc --no-deps
  node:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20.11.1
          cache: npm
      - run: npm ci
      - run: npm test -- --coverage
      - run: npx eslint . --max-warnings 0
YAML
  if [[ $variant != job ]]; then
    cat <<YAML
  deploy:
    needs: [test, node]
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-24.04
    steps:
      - run: ./deploy.sh --env production
YAML
  fi
}
for i in $(seq 1 100); do workflow "$i" base > "$repo/.github/workflows/ci-$i.yml"; done
for i in $(seq 1 50); do printf '#[test]\nfn t%d() {}\n' "$i" > "$repo/src/t$i.rs"; done
git -C "$repo" add -A && git -C "$repo" commit -qm base
for i in $(seq 1 100); do
  case $((i % 4)) in 0|1) v=flag ;; 2) v=job ;; *) v=rename ;; esac
  workflow "$i" "$v" > "$repo/.github/workflows/ci-$i.yml"
done
for i in $(seq 1 50); do printf '#[test]\n#[ignore]\nfn t%d() {}\n' "$i" > "$repo/src/t$i.rs"; done
git -C "$repo" commit -qam change
"$bin" guard "$repo" --base HEAD~1 --head HEAD --format json > "$repo.json" || true
python3 - "$bin" "$repo" "$runs" "$repo.json" <<'PY'
import json, resource, statistics, subprocess, sys, time
binary, repo, runs, report = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
summary = json.load(open(report))["summary"]
times = []
for _ in range(runs):
    start = time.perf_counter()
    done = subprocess.run([binary, "guard", repo, "--base", "HEAD~1", "--head", "HEAD"], stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
    assert done.returncode == 1, done.returncode
times.sort()
print(f"100 workflows, 2 revisions: {summary['reductions']} reductions, {summary['reviews']} to review")
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"runs={runs} median={statistics.median(times)*1000:.1f} ms min={times[0]*1000:.1f} ms max={times[-1]*1000:.1f} ms peak={peak:.0f} MiB (largest process, git included)")
PY
rm -f "$repo.json"
