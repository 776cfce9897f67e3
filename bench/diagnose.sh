#!/usr/bin/env bash
# Speed and memory of `plimsoll diagnose`: a ~3 MB real log (wall time, best of 10) and a 200 MB
# generated GitHub job log (peak RSS must stay flat). Needs ../shared for the 3 MB log.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p plimsoll
bin=target/release/plimsoll
log=../shared/ci-logs/logchunks/logs/Erlang/processone@ejabberd/failed/555702367.log
if [[ -f $log ]]; then
  best=999999
  for _ in $(seq 10); do
    start=$(date +%s%N); $bin diagnose --format json "$log" >/dev/null; end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 )); (( ms < best )) && best=$ms
  done
  echo "3.4 MB Travis log ($(wc -l <"$log") lines): best of 10 = ${best} ms"
else
  echo "skipped: ../shared absent"
fi
big=$(mktemp); trap 'rm -f "$big"' EXIT
python3 - "$big" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    block = "".join(f"2024-05-01T10:00:00.{i:07d}Z    Compiling crate-{i} v0.1.{i} (/home/runner/work/app)\n" for i in range(2000))
    f.write("2024-05-01T10:00:00.0000000Z ##[group]Run cargo build\n2024-05-01T10:00:00.0000000Z ##[endgroup]\n")
    while f.tell() < 200 * 1024 * 1024:
        f.write(block)
    f.write("2024-05-01T10:00:01.0000000Z error[E0425]: cannot find value `x` in this scope\n")
    f.write("2024-05-01T10:00:01.0000000Z ##[error]Process completed with exit code 101.\n")
PY
/usr/bin/time -f "200 MB generated log: %e s, peak RSS %M KB" $bin diagnose --format json "$big" >/dev/null
