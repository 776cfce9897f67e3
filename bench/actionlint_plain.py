#!/usr/bin/env python3
"""Median wall time of actionlint without shellcheck/pyflakes vs plimsoll on the corpus workflows."""
import os, pathlib, statistics, subprocess, sys, time

corpus = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"
rows = [l.rstrip("\n").split("\t") for l in open(corpus / "MANIFEST.tsv")][1:]
files = sorted(str(corpus / r[1].replace("/", "__") / r[3]) for r in rows
               if r[0] in ("gha_workflow", "gha_composite_action"))
plimsoll = str(pathlib.Path(__file__).resolve().parent.parent / "target" / "release" / "plimsoll")
commands = {
    "plimsoll": [plimsoll, "check", "--format", "json", *files],
    "actionlint (no shellcheck)": [sys.argv[1], "-shellcheck=", "-pyflakes=", "-format", "{{json .}}", *files],
}
times = {name: [] for name in commands}
for _ in range(5):
    for name, argv in commands.items():
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
base = statistics.median(times["plimsoll"])
for name, samples in times.items():
    median = statistics.median(samples)
    print(f"{name:<28}{len(files):>6} files {median:>8.3f} s  {median / base:>6.1f}x plimsoll")
