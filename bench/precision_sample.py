#!/usr/bin/env python3
"""Precision review: a deterministic sample of 20 findings of every rule on ../shared/corpus/real,
labelled by hand, reported per rule and in total.

Usage:
  bench/precision_sample.py [--report FILE] [--per-rule N] show [RULE...]
      print the sampled findings that have no label yet (path, line, rule, severity, message,
      and the source line, read from the corpus at print time), to label them
  bench/precision_sample.py [--report FILE] [--per-rule N] table
      print the Markdown table of BENCHMARKS.md: per rule, how many of its sampled findings are
      true and useful, true but noise, false, and not labelled yet; then the totals
  bench/precision_sample.py [--report FILE] [--per-rule N] --leave-out REPO,... table
      the same, counting only the sampled findings outside the named corpus repositories
      (`owner__name`): the figure on the repositories that prompted none of a round's changes

Without --report it runs `target/release/plimsoll check --format json ../shared/corpus/real`
(build it first: `cargo build --release -p plimsoll`).

The sample: every finding is keyed by (path, line, rule), its path relative to the corpus; a
rule's sample is the N keys with the smallest SHA-256 of the key. A finding keeps its rank
whatever else the run reports, so after other changes the labels of the findings still reported
still apply, and only new findings of the sample need labelling.

Labels: bench/precision_labels.tsv, one line a finding: path, line, rule, verdict (`useful`,
`noise` or `false`), and a reason in a few words (never text copied from the corpus).
  useful: true, and worth acting on in that repository;
  noise:  true, but not worth a reader's time there (a test fixture, a demo, a duplicate);
  false:  the rule is wrong about the file.
"""
import argparse
import hashlib
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = (ROOT / ".." / "shared" / "corpus" / "real").resolve()
PLIMSOLL = ROOT / "target" / "release" / "plimsoll"
LABELS = ROOT / "bench" / "precision_labels.tsv"
VERDICTS = ("useful", "noise", "false")
MARKER = "corpus/real/"


def corpus_path(path: str) -> str:
    """The finding's path relative to the corpus, however the run was given it."""
    at = path.find(MARKER)
    return path[at + len(MARKER):] if at >= 0 else path


def load_report(report: str | None) -> dict:
    if report:
        return json.loads(Path(report).read_text())
    if not PLIMSOLL.exists():
        sys.exit(f"{PLIMSOLL} is missing: run `cargo build --release -p plimsoll` first")
    if not CORPUS.is_dir():
        sys.exit(f"skipped: {CORPUS} is absent")
    run = subprocess.run(
        [str(PLIMSOLL), "check", "--format", "json", str(CORPUS)],
        capture_output=True,
        check=False,
    )
    if run.returncode not in (0, 1):
        sys.exit(f"plimsoll exited {run.returncode}: {run.stderr.decode(errors='replace')}")
    return json.loads(run.stdout)


def rank(key: tuple) -> str:
    return hashlib.sha256("\t".join(map(str, key)).encode()).hexdigest()


def sample(report: dict, per_rule: int) -> dict:
    """rule name -> its sampled findings, each {key, severity, message}."""
    by_rule = defaultdict(dict)
    for finding in report["findings"]:
        rule = finding["rule"]["name"]
        key = (corpus_path(finding["path"]), finding["start"]["line"], rule)
        # Two findings of one rule on one line are one key: the first by column stands for both.
        by_rule[rule].setdefault(key, finding)
    chosen = {}
    for rule, findings in by_rule.items():
        keys = sorted(findings, key=rank)[:per_rule]
        loud = sum(1 for f in findings.values() if f["severity"] != "note")
        chosen[rule] = [
            {
                "key": key,
                "severity": findings[key]["severity"],
                "message": findings[key]["message"],
                "total": len(findings),
                "loud_total": loud,
            }
            for key in keys
        ]
    return chosen


def weighted(chosen: dict, labels: dict, loud_only: bool) -> dict:
    """Verdict shares over the whole run, not over the sample: each rule's labelled sample
    stands for all its findings (or, with `loud_only`, its sampled findings at warning or error
    for all its findings at warning or error), so a rule of 3,000 findings weighs 150 times one
    of 20."""
    shares = defaultdict(float)
    for items in chosen.values():
        picked = [
            i for i in items
            if i["key"] in labels and (not loud_only or i["severity"] != "note")
        ]
        if not picked:
            continue
        weight = items[0]["loud_total"] if loud_only else items[0]["total"]
        for item in picked:
            shares[labels[item["key"]]] += weight / len(picked)
    return shares


def load_labels() -> dict:
    labels = {}
    if not LABELS.exists():
        return labels
    for number, line in enumerate(LABELS.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 4 or fields[3] not in VERDICTS:
            sys.exit(f"{LABELS}:{number}: expected path, line, rule, verdict ({'|'.join(VERDICTS)}), reason")
        labels[(fields[0], int(fields[1]), fields[2])] = fields[3]
    return labels


def source_line(path: str, line: int) -> str:
    try:
        with open(CORPUS / path, errors="replace") as f:
            for number, text in enumerate(f, 1):
                if number == line:
                    return text.rstrip("\n")[:200]
    except OSError:
        pass
    return ""


def show(chosen: dict, labels: dict, rules: list) -> None:
    for rule in sorted(chosen):
        if rules and rule not in rules:
            continue
        for item in chosen[rule]:
            if item["key"] in labels:
                continue
            path, line, _ = item["key"]
            print(f"{path}\t{line}\t{rule}\t{item['severity']}\t{item['message']}")
            print(f"    | {source_line(path, line)}")


def table(chosen: dict, labels: dict) -> None:
    print(
        "| rule | findings | sampled | useful | noise | false | unlabelled "
        "| labelled at warning or error | of which noise |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals = defaultdict(int)
    for rule in sorted(chosen):
        counts = defaultdict(int)
        loud_labelled = loud_noise = 0
        for item in chosen[rule]:
            verdict = labels.get(item["key"], "unlabelled")
            counts[verdict] += 1
            if item["severity"] != "note" and verdict != "unlabelled":
                loud_labelled += 1
                loud_noise += verdict == "noise"
        total = chosen[rule][0]["total"]
        sampled = len(chosen[rule])
        row = [counts[v] for v in (*VERDICTS, "unlabelled")]
        print(
            f"| `{rule}` | {total} | {sampled} | " + " | ".join(map(str, row))
            + f" | {loud_labelled} | {loud_noise} |"
        )
        totals["loud"] += loud_labelled
        totals["loud_noise"] += loud_noise
        totals["findings"] += total
        totals["sampled"] += sampled
        for verdict, n in zip((*VERDICTS, "unlabelled"), row):
            totals[verdict] += n
    labelled = totals["sampled"] - totals["unlabelled"]
    # What a reader meets above the notes (what fails a run at the default `fail-on`).
    loud = defaultdict(int)
    for rule in chosen:
        for item in chosen[rule]:
            if item["severity"] != "note" and item["key"] in labels:
                loud[labels[item["key"]]] += 1
                loud["labelled"] += 1
    print(
        f"| **total** | {totals['findings']} | {totals['sampled']} | {totals['useful']} | "
        f"{totals['noise']} | {totals['false']} | {totals['unlabelled']} | {totals['loud']} | "
        f"{totals['loud_noise']} |"
    )
    if labelled:
        print()
        print(
            f"Of {labelled} labelled findings: {totals['useful'] / labelled:.0%} true and useful, "
            f"{totals['noise'] / labelled:.0%} true but noise, {totals['false'] / labelled:.0%} false; "
            f"rules with a false positive in their sample: "
            + (", ".join(
                f"`{rule}`"
                for rule in sorted(chosen)
                if any(labels.get(i["key"]) == "false" for i in chosen[rule])
            ) or "none")
            + "."
        )
    if loud["labelled"]:
        print()
        print(
            f"Of the {loud['labelled']} labelled findings at warning or error: "
            f"{loud['useful'] / loud['labelled']:.0%} true and useful, "
            f"{loud['noise'] / loud['labelled']:.0%} true but noise, "
            f"{loud['false'] / loud['labelled']:.0%} false."
        )


def print_weighted(chosen: dict, labels: dict) -> None:
    for loud_only, what in ((False, "all findings"), (True, "the findings at warning or error")):
        shares = weighted(chosen, labels, loud_only)
        total = sum(shares.values())
        if not total:
            continue
        print()
        print(
            f"Weighted by each rule's finding count, over {what} (about {total:,.0f} findings "
            f"of rules with a labelled sample): "
            f"{shares['useful'] / total:.0%} true and useful, "
            f"{shares['noise'] / total:.0%} true but noise, "
            f"{shares['false'] / total:.0%} false."
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", help="a JSON report of the corpus run, instead of running plimsoll")
    parser.add_argument("--per-rule", type=int, default=20)
    parser.add_argument(
        "--leave-out",
        default="",
        help="comma-separated corpus repositories (owner__name) whose sampled findings are not counted",
    )
    parser.add_argument("mode", choices=["show", "table"])
    parser.add_argument("rules", nargs="*")
    args = parser.parse_args()
    chosen = sample(load_report(args.report), args.per_rule)
    left_out = {repo for repo in args.leave_out.split(",") if repo}
    if left_out:
        # The sample stays the one of the whole corpus; only its counting leaves repositories out.
        chosen = {
            rule: kept
            for rule, items in chosen.items()
            if (kept := [i for i in items if i["key"][0].split("/", 1)[0] not in left_out])
        }
    labels = load_labels()
    if args.mode == "show":
        show(chosen, labels, args.rules)
    else:
        table(chosen, labels)
        print_weighted(chosen, labels)


if __name__ == "__main__":
    main()
