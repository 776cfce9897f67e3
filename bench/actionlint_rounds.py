#!/usr/bin/env python3
"""Rounds of alternating runs: this build, an optional baseline build, and actionlint without
shellcheck/pyflakes, on the corpus workflows that `bench/actionlint_plain.py` times.

Each round is the median of 7 runs of each program, taken in turn so that all three see the same
machine load; the ratios are printed per round.

Usage: bench/actionlint_rounds.py ACTIONLINT [--baseline OTHER_PLIMSOLL] [--rounds N]
"""
import argparse

from actionlint_plain import (CORPUS, PLIMSOLL, actionlint_command, medians, plimsoll_command,
                              workflow_files)

parser = argparse.ArgumentParser()
parser.add_argument("actionlint")
parser.add_argument("--baseline", help="another plimsoll binary to time in the same rounds")
parser.add_argument("--rounds", type=int, default=6)
args = parser.parse_args()
if not (CORPUS / "MANIFEST.tsv").exists():
    raise SystemExit(f"skipped: {CORPUS} is absent")
files = workflow_files()
commands = {"this build": plimsoll_command(PLIMSOLL, files)}
if args.baseline:
    commands["baseline"] = plimsoll_command(args.baseline, files)
commands["actionlint"] = actionlint_command(args.actionlint, files)
for number in range(1, args.rounds + 1):
    median = medians(commands, 7)
    ratios = "  ".join(f"actionlint / {name} {median['actionlint'] / median[name]:.2f}x"
                       for name in commands if name != "actionlint")
    seconds = "  ".join(f"{name} {value:.3f} s" for name, value in median.items())
    print(f"round {number}: {seconds}   {ratios}", flush=True)
