#!/usr/bin/env bash
# Times `plimsoll check` and `plimsoll guard` on generated hostile inputs (issue 13, hangs and
# memory): huge mappings, job and step lists, matrices, Dockerfiles, Terraform, Compose,
# Kubernetes cross-object sets, one minified line, floods of findings; `plimsoll diagnose` on a
# gzip bomb.
# Usage: bench/hostile.sh [N]   (default 300000: the scale of the issue; 30000 is quick).
# Needs python3 and GNU time; builds the release binary. Figures: BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300000}
cargo build --release --quiet
bin=$PWD/target/release/plimsoll
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" "$n" <<'PY'
import os, sys
base, n = sys.argv[1], int(sys.argv[2])
def w(rel, text):
    p = os.path.join(base, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write(text)
hdr = "name: ci\non: push\npermissions: {}\njobs:\n"
w("k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n" + "".join(f"  k{i}: v\n" for i in range(n)))
w("jobs/.github/workflows/ci.yml", hdr + "".join(f"  j{i}:\n    runs-on: x\n" for i in range(n)))
w("steps/.github/workflows/ci.yml", hdr + "  a:\n    runs-on: x\n    steps:\n" + "".join(f"      - run: e{i}\n" for i in range(n)))
w("needs/.github/workflows/ci.yml", hdr + "".join(f"  j{i}:\n    runs-on: x\n" for i in range(n // 10)) + "  last:\n    runs-on: x\n    needs: [" + ", ".join(f"j{i}" for i in range(n // 10)) + "]\n")
w("matrix/.github/workflows/ci.yml", hdr + "  m:\n    runs-on: x\n    strategy:\n      matrix:\n" + "".join(f"        a{a}: [{', '.join(str(v) for v in range(10))}]\n" for a in range(20)) + "    steps:\n      - run: echo\n")
w("flow/.github/workflows/ci.yml", hdr + "  a:\n    runs-on: [" + ", ".join(f"l{i}" for i in range(n)) + "]\n")
w("docker/Dockerfile", "FROM alpine:3.20\n" + "".join(f"RUN echo {i}\n" for i in range(n * 2 // 3)))
w("tf/main.tf", "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n' for i in range(n // 3)))
w("compose/compose.yaml", "services:\n" + "".join(f"  s{i}:\n    image: a:1\n" for i in range(n // 2)))
docs = []
for i in range(n // 30):
    docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  replicas: 3\n  selector: {{matchLabels: {{app: a{i}}}}}\n  template:\n    metadata: {{labels: {{app: a{i}}}}}\n    spec:\n      containers: [{{name: c, image: 'x:1'}}]\n")
    docs.append(f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: p{i}}}\nspec: {{minAvailable: 1, selector: {{matchLabels: {{app: a{i}}}}}}}\n")
w("cluster/all.yaml", "---\n".join(docs))
steps = ", ".join('{run: "echo ${{ github.event.issue.title }}' + f' {i:0>30}"}}' for i in range(n // 6))
w("minified/.github/workflows/ci.yml", "on: issues\njobs: {a: {runs-on: x, steps: [" + steps + "]}}\n")
w("backslashes/Dockerfile", "FROM alpine:3.20\n" + "\\\n" * (n * 2 // 3))
script = "".join(f"          tool{i} --flag{i} arg\n" for i in range(n // 15))
run = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: |\n"
w("guard/old.yml", run + script + "          cargo test --all-features\n")
w("guard/new.yml", run + script + "          cargo test\n")
# A gzip bomb for `diagnose`: 1.1 MB that would inflate to 1.06 GiB of blank 100 kB lines.
import zlib
os.makedirs(os.path.join(base, "gzip"), exist_ok=True)
packer = zlib.compressobj(9, zlib.DEFLATED, 31)
chunk = (b" " * 100_000 + b"\n") * 100
with open(os.path.join(base, "gzip", "bomb.log.gz"), "wb") as bomb:
    for _ in range(((1 << 30) + (64 << 20)) // len(chunk) + 1):
        bomb.write(packer.compress(chunk))
    bomb.write(packer.flush())
PY
measure() { # $1 = label, rest = command run in $dir/$label's folder
  local label=$1
  shift
  /usr/bin/time -f "%e s %M KB" -o "$dir/time" "$@" >"$dir/out" 2>/dev/null || true
  printf '%-12s %-22s output %8d bytes\n' "$label" "$(tail -n 1 "$dir/time")" "$(wc -c <"$dir/out")"
}
echo "N=$n (files over 4 MiB are read with PLIMSOLL_MAX_FILE_SIZE raised)"
for case in k8s jobs steps needs matrix flow docker tf compose cluster minified backslashes; do
  (cd "$dir/$case" && PLIMSOLL_MAX_FILE_SIZE=100000000 measure "$case" "$bin" check --isolated .)
done
(cd "$dir/guard" && measure guard "$bin" guard --before old.yml --after new.yml)
(cd "$dir/gzip" && measure gzip-bomb "$bin" diagnose bomb.log.gz)
