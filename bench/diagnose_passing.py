#!/usr/bin/env python3
"""Score `plimsoll diagnose` on the CiDiff pairs in ../shared/ci-logs/cidiff, with and without
`--passing pass.log`.

Each case has the failing log, a passing log of the same job and `groundtruth`: `E a-b` ranges
of error lines in fail.log (1-based; `C` context lines do not count). A case is a top-1 hit when
the best line lies in an `E` range, a top-3 hit when one of the three best does.

Caveat: the signatures and ranking weights were tuned while reading these logs' misses (the
figures without `--passing` are in-sample), and the `--passing` weights were set once from first
principles and checked on these 36 cases only. The rows of `diagnose_eval.py`'s fixed test split
(its CiDiff repositories held out) are the nearest to an estimate for unseen logs; `--misses`
lists the training split's misses only, never the test split's.

Usage: bench/diagnose_passing.py [--binary target/release/plimsoll] [--shared ../shared] [--misses]
"""

import argparse
import os
import sys

# The same running and scoring as the full evaluation, so both read the binary's output alike.
from diagnose_eval import cidiff_ranges, diagnose, inside, ranked_lines, split_of


def error_ranges(path):
    """The first line of a CiDiff `groundtruth` file (its log kind) and its `E` ranges."""
    with open(path) as f:
        rows = f.read().split("\n")
    return rows[0].strip(), cidiff_ranges(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/plimsoll")
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--misses", action="store_true", help="list the cases each mode misses")
    args = parser.parse_args()
    base = os.path.join(args.shared, "ci-logs", "cidiff")
    if not os.path.isdir(base):
        print(f"skipped: {base} absent")
        return 0
    modes = {"without --passing": [], "with --passing": []}
    cases = 0
    for case in sorted(os.listdir(base)):
        folder = os.path.join(base, case)
        paths = [os.path.join(folder, name) for name in ("fail.log", "pass.log", "groundtruth")]
        if not all(os.path.exists(p) for p in paths):
            continue
        fail, passing, truth = paths
        kind, ranges = error_ranges(truth)
        cases += 1
        for mode, extra in (
            ("without --passing", []),
            ("with --passing", ["--passing", passing]),
        ):
            log, err = diagnose(args.binary, fail, extra)
            if log is None:
                print(f"{case}: {mode}: error: {err}", file=sys.stderr)
            ranked = ranked_lines(log) if log else []
            modes[mode].append((case, kind, ranked[:3], ranges))
    print(f"CiDiff pairs: {cases} (in-sample: see the caveat in this script's docstring)\n")
    print("| mode              | split    | logs | top-1  | top-3  |")
    print("|-------------------|----------|------|--------|--------|")
    # The evaluation's split: a case's repository is its name without the trailing number.
    split = lambda case: split_of("cidiff", case.rsplit("_", 1)[0])
    for mode, results in modes.items():
        for part in ("all", "train", "test"):
            chosen = [r for r in results if part == "all" or split(r[0]) == part]
            top1 = sum(1 for _, _, r, g in chosen if r and inside(r[0], g))
            top3 = sum(1 for _, _, r, g in chosen if any(inside(l, g) for l in r))
            pct = lambda n: f"{100.0 * n / len(chosen):5.1f}%" if chosen else "    -"
            print(f"| {mode:<17} | {part:<8} | {len(chosen):>4} | {pct(top1)} | {pct(top3)} |")
    if args.misses:
        for mode, results in modes.items():
            print(f"\n## top-1 misses {mode}, training split only")
            for case, kind, ranked, ranges in results:
                if split(case) == "train" and not (ranked and inside(ranked[0], ranges)):
                    print(f"- {case} ({kind}): ranked {ranked} labelled {ranges[:4]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
