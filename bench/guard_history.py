#!/usr/bin/env python3
"""Run `plimsoll guard --base <c>^ --head <c>` on every commit of real CI histories.

The histories are the git bundles of ../shared/guard-history (each repository's `.github/`
folder, 300 commits). Each bundle is cloned once into a temporary folder (--work), and guard runs
on every commit that has a parent. The result is a JSON document: per repository and commit the
exit code and the reductions (kind, subject, message, before and after locations), and totals:
commits, commits with a reported reduction, reductions, commits guard could not compare (exit 2).
Read the reported commits against `git show <commit>` before counting them as real.

With --labels (crates/plimsoll/tests/data/guard-history.tsv: commits read against their diffs
and labelled real, artefact, false-alarm or clean), it also scores guard on the labelled commits,
per split (in-sample, held-out): real reductions caught, false alarms still raised, and the rows
whose recorded status no longer matches what guard does.

Usage: bench/guard_history.py [--binary target/release/plimsoll] [--shared ../shared]
                              [--work /tmp/guard-history] [--only REPO] [-o results.json]
                              [--labels crates/plimsoll/tests/data/guard-history.tsv]
"""

import argparse
import json
import os
import subprocess
import sys


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", repo, *args], check=True, capture_output=True, text=True
    ).stdout


def clone(bundle, work):
    name = os.path.basename(bundle)[: -len(".bundle")]
    path = os.path.join(work, name)
    if not os.path.isdir(path):
        subprocess.run(
            ["git", "clone", "-q", "-b", "main", bundle, path],
            check=True,
            capture_output=True,
        )
    return name, path


def run_guard(binary, repo, commit):
    done = subprocess.run(
        [binary, "guard", "--base", f"{commit}^", "--head", commit, "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    entry = {"commit": commit, "exit": done.returncode, "reductions": [], "reviews": 0}
    if done.returncode == 2:
        entry["error"] = done.stderr.strip()
        return entry
    report = json.loads(done.stdout)
    for change in report["changes"]:
        if change["severity"] == "reduction":
            entry["reductions"].append(
                {
                    key: change.get(key)
                    for key in ("kind", "subject", "message", "before", "after")
                }
            )
        elif change["severity"] == "review":
            entry["reviews"] += 1
    return entry


def read_labels(path):
    rows = []
    with open(path) as labels:
        for line in labels:
            if line.startswith("#") or not line.strip():
                continue
            bundle, commit, split, truth, status, reason = line.rstrip("\n").split("\t")
            rows.append(dict(bundle=bundle, commit=commit, split=split, truth=truth,
                             status=status, reason=reason))
    return rows


def score(labels, results):
    """Per split: real reductions caught, false alarms still raised, stale statuses."""
    flagged = {
        (repo, e["commit"]): bool(e["reductions"])
        for repo, entries in results["repositories"].items()
        for e in entries
    }
    splits = {}
    for row in labels:
        key = (row["bundle"], row["commit"])
        if key not in flagged:
            continue
        split = splits.setdefault(row["split"], {
            "labelled": 0, "real": 0, "real caught": 0, "artefacts": 0,
            "false alarms": 0, "false alarms still raised": 0, "clean": 0,
            "clean flagged": 0, "status out of date": [],
        })
        split["labelled"] += 1
        raised = flagged[key]
        truth = row["truth"]
        if truth == "real":
            split["real"] += 1
            split["real caught"] += raised
        elif truth == "artefact":
            split["artefacts"] += 1
        elif truth == "false-alarm":
            split["false alarms"] += 1
            split["false alarms still raised"] += raised
        elif truth == "clean":
            split["clean"] += 1
            split["clean flagged"] += raised
        expected = row["status"] in ("caught", "open")
        if raised != expected:
            split["status out of date"].append(f"{row['bundle']} {row['commit'][:12]}")
    return splits


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(here, "..", "target", "release", "plimsoll"))
    parser.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    parser.add_argument("--work", default="/tmp/guard-history")
    parser.add_argument("--only", help="one repository (owner__name)")
    parser.add_argument("-o", "--output", help="write the JSON here (default: stdout)")
    parser.add_argument("--labels", help="score the labelled commits of this TSV file")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    history = os.path.join(args.shared, "guard-history")
    os.makedirs(args.work, exist_ok=True)
    results = {"repositories": {}, "totals": {}}
    totals = {"commits": 0, "commits_with_reductions": 0, "reductions": 0, "errors": 0}
    for bundle in sorted(os.listdir(history)):
        if not bundle.endswith(".bundle"):
            continue
        name, path = clone(os.path.join(history, bundle), args.work)
        if args.only and name != args.only:
            continue
        commits = git(path, "rev-list", "--reverse", "main").split()
        # The root commit has no parent to compare with.
        entries = [run_guard(binary, path, c) for c in commits[1:]]
        results["repositories"][name] = entries
        reported = [e for e in entries if e["reductions"]]
        summary = {
            "commits": len(entries),
            "commits_with_reductions": len(reported),
            "reductions": sum(len(e["reductions"]) for e in entries),
            "errors": sum(e["exit"] == 2 for e in entries),
        }
        for key, value in summary.items():
            totals[key] += value
        print(f"{name}: {summary}", file=sys.stderr)
    results["totals"] = totals
    print(f"total: {totals}", file=sys.stderr)
    if args.labels:
        results["labels"] = score(read_labels(args.labels), results)
        for split, figures in sorted(results["labels"].items()):
            print(f"labelled, {split}: {figures}", file=sys.stderr)
    text = json.dumps(results, indent=1) + "\n"
    if args.output:
        with open(args.output, "w") as out:
            out.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
