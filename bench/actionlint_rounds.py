#!/usr/bin/env python3
"""Rounds of alternating runs: this build, an optional baseline build, and actionlint without
shellcheck/pyflakes, on the corpus workflows that `bench/actionlint_plain.py` times.

Each round is the median of 7 runs of each program, taken in turn so that all three see the same
machine load; the ratios are printed per round.

Usage: bench/actionlint_rounds.py ACTIONLINT [--baseline OTHER_PLIMSOLL] [--rounds N]
"""
import argparse, pathlib, statistics, subprocess, time

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root.parent / "shared" / "corpus" / "real"
parser = argparse.ArgumentParser()
parser.add_argument("actionlint")
parser.add_argument("--baseline", help="another plimsoll binary to time in the same rounds")
parser.add_argument("--rounds", type=int, default=6)
args = parser.parse_args()
if not (corpus / "MANIFEST.tsv").exists():
    raise SystemExit(f"skipped: {corpus} is absent")
rows = [l.rstrip("\n").split("\t") for l in open(corpus / "MANIFEST.tsv")][1:]
files = sorted(str(corpus / r[1].replace("/", "__") / r[3]) for r in rows
               if r[0] in ("gha_workflow", "gha_composite_action"))
commands = {"this build": [str(root / "target" / "release" / "plimsoll"), "check", "--format", "json", *files]}
if args.baseline:
    commands["baseline"] = [args.baseline, "check", "--format", "json", *files]
commands["actionlint"] = [args.actionlint, "-shellcheck=", "-pyflakes=", "-format", "{{json .}}", *files]
for number in range(1, args.rounds + 1):
    times = {name: [] for name in commands}
    for _ in range(7):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(samples) for name, samples in times.items()}
    ratios = "  ".join(f"actionlint / {name} {median['actionlint'] / median[name]:.2f}x"
                       for name in commands if name != "actionlint")
    seconds = "  ".join(f"{name} {value:.3f} s" for name, value in median.items())
    print(f"round {number}: {seconds}   {ratios}", flush=True)
