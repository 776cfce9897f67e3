#!/usr/bin/env python3
"""Median wall time of actionlint without shellcheck/pyflakes vs plimsoll on the corpus workflows."""
import pathlib, statistics, subprocess, sys, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
PLIMSOLL = str(ROOT / "target" / "release" / "plimsoll")


def workflow_files():
    """The corpus's GitHub Actions workflows and composite actions, sorted."""
    rows = [l.rstrip("\n").split("\t") for l in open(CORPUS / "MANIFEST.tsv")][1:]
    return sorted(str(CORPUS / r[1].replace("/", "__") / r[3]) for r in rows
                  if r[0] in ("gha_workflow", "gha_composite_action"))


def plimsoll_command(binary, files):
    return [binary, "check", "--format", "json", *files]


def actionlint_command(binary, files):
    return [binary, "-shellcheck=", "-pyflakes=", "-format", "{{json .}}", *files]


def medians(commands, runs):
    """The median wall time of each command over `runs` runs, taken in turn."""
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(samples) for name, samples in times.items()}


if __name__ == "__main__":
    files = workflow_files()
    commands = {
        "plimsoll": plimsoll_command(PLIMSOLL, files),
        "actionlint (no shellcheck)": actionlint_command(sys.argv[1], files),
    }
    median = medians(commands, 5)
    base = median["plimsoll"]
    for name, value in median.items():
        print(f"{name:<28}{len(files):>6} files {value:>8.3f} s  {value / base:>6.1f}x plimsoll")
