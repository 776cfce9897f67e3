#!/usr/bin/env python3
"""Secrets: plimsoll against detect-secrets on ../shared/corpus/real, same files, same run.

Usage: bench/secrets.py [--runs N] [--list]
  Builds nothing: run `cargo build --release` first (bench/secrets.sh does both).
  Installs detect-secrets from PyPI into ~/.cache/plimsoll-detect-secrets when missing.
  --list prints every secret finding plimsoll reports on the corpus (redacted, as plimsoll
  prints them), for the false-positive review recorded in BENCHMARKS.md.

Rows: plimsoll with only the secrets rules (a generated configuration turns the others off),
plimsoll with every rule, and `detect-secrets scan --all-files` (its default plugins and
filters). Wall-clock medians over N runs (detect-secrets: one run per 3 of plimsoll's, it is
slow), peak RSS from getrusage of the child.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / ".." / "shared" / "corpus" / "real"
PLIMSOLL = ROOT / "target" / "release" / "plimsoll"
VENV = Path.home() / ".cache" / "plimsoll-detect-secrets"


def detect_secrets() -> Path:
    exe = VENV / "bin" / "detect-secrets"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "detect-secrets"], check=True)
    return exe


def timed(cmd, cwd=None):
    """Wall seconds, the child's own peak RSS in MiB (wait4), and its standard output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = 0
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read()


def secrets_only_config(directory: Path) -> Path:
    rules = json.loads(subprocess.run([str(PLIMSOLL), "rules", "--format", "json"],
                                      stdout=subprocess.PIPE, check=True).stdout)
    lines = ["[rules]"]
    for rule in rules:
        if rule["domain"] != "secrets":
            lines.append(f'{rule["name"]} = "off"')
    path = directory / "secrets-only.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print("skipped: ../shared absent")
        return
    if not PLIMSOLL.exists():
        sys.exit("build first: cargo build --release")
    files = sum(1 for p in CORPUS.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as tmp:
        config = secrets_only_config(Path(tmp))
        secrets_cmd = [str(PLIMSOLL), "check", "--config", str(config), "--format", "json", str(CORPUS)]
        all_cmd = [str(PLIMSOLL), "check", "--isolated", "--format", "json", str(CORPUS)]
        ds_cmd = [str(detect_secrets()), "scan", "--all-files", "."]
        # Warm the page cache once.
        timed(all_cmd)
        rows = {"secrets": [], "all": [], "ds": []}
        found = {}
        for run in range(args.runs):
            for key, cmd, cwd in (("secrets", secrets_cmd, None), ("all", all_cmd, None)):
                wall, rss, out = timed(cmd, cwd)
                rows[key].append((wall, rss))
                found[key] = out
            if run % 3 == 0:
                wall, rss, out = timed(ds_cmd, CORPUS)
                rows["ds"].append((wall, rss))
                found["ds"] = out
    plimsoll_findings = [f for f in json.loads(found["secrets"])["findings"]
                         if f["rule"]["name"] in ("hardcoded-secret", "committed-env-file")]
    ds_results = json.loads(found["ds"])["results"]
    ds_count = sum(len(v) for v in ds_results.values())
    base = statistics.median(w for w, _ in rows["secrets"])
    print(f"{files} files in {CORPUS.resolve()}\n")
    print("| tool | median s | peak MiB | files/s | secret findings | peer / plimsoll |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, label, count in (
        ("secrets", "plimsoll, secrets rules only", len(plimsoll_findings)),
        ("all", "plimsoll, every rule", len(plimsoll_findings)),
        ("ds", f"detect-secrets {detect_secrets_version()} `scan --all-files`", ds_count),
    ):
        wall = statistics.median(w for w, _ in rows[key])
        rss = max(r for _, r in rows[key])
        print(f"| {label} | {wall:.2f} | {rss:.0f} | {files / wall:,.0f} | {count} | {wall / base:.1f} |")
    print(f"\nruns: plimsoll {args.runs}, detect-secrets {len(rows['ds'])}")
    if args.list:
        print("\nplimsoll secret findings:")
        for f in plimsoll_findings:
            path = os.path.relpath(f["path"], CORPUS)
            print(f"  {path}:{f['start']['line']}: {f['message']}")


def detect_secrets_version():
    out = subprocess.run([str(detect_secrets()), "--version"], stdout=subprocess.PIPE, text=True)
    return out.stdout.strip()


if __name__ == "__main__":
    main()
