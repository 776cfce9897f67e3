#!/usr/bin/env python3
"""The peers on the files `plimsoll check --fix` changed: does a fix introduce a peer finding?

Copies ../shared/corpus/real to a temporary folder (the corpus itself is never written), runs
`plimsoll check --isolated --fix` on the copy (and, on a second copy, `--fix --unsafe-fixes`),
then runs the peers on every file the fix changed, once on the original and once on the fixed
version, under the same relative path: actionlint and zizmor (offline, pedantic) on GitHub
Actions workflows and actions, hadolint on Dockerfiles. A finding is introduced when a peer
reports more findings of one rule in the fixed file than in the original. Prints, per mode, the
time of the fix, how many files changed by kind, and per peer rule the findings before and
after and those introduced (with up to three examples each); exits 1 when any was introduced.

Usage:
    cargo build --release -p plimsoll
    python3 bench/fix_peers.py [--corpus ../shared/corpus/real] [--plimsoll target/release/plimsoll]
                               [--peers-bin ~/.cache/plimsoll-peers/bin] [--json out.json]

The peers come from ../shared/bench/peers.sh (PyPI and Debian packages); a peer that is not
installed is skipped with a note.
"""

from __future__ import annotations

import argparse
import collections
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# zizmor aborts on this corpus file (a known crash; ../shared/bench/compare.py skips it too).
ZIZMOR_ABORTS = {"etcd-io__etcd/.github/workflows/antithesis-test.yml"}


def kind_of(relative: str) -> str | None:
    """The peers' kind of a corpus file: `actions` (workflow or action), `dockerfile`, or None."""
    path = Path(relative)
    name = path.name
    if name.endswith((".yml", ".yaml")):
        parts = path.parts
        in_workflows = len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows"
        if in_workflows or name in ("action.yml", "action.yaml"):
            return "actions"
        return None
    stem = name.split(".")[0].split("-")[0].split("_")[0]
    if stem in ("Dockerfile", "Containerfile") or name.endswith((".Dockerfile", ".dockerfile")):
        return "dockerfile"
    return None


def changed_files(original: Path, fixed: Path) -> list[str]:
    """The files of `fixed` whose bytes differ from `original`'s, relative, sorted."""
    changed = []
    for directory, _, files in os.walk(fixed):
        for name in files:
            path = Path(directory) / name
            relative = path.relative_to(fixed)
            source = original / relative
            if not source.exists() or not filecmp.cmp(source, path, shallow=False):
                changed.append(str(relative))
    return sorted(changed)


def run_json(argv: list[str], cwd: Path) -> list | None:
    """Run a peer that prints JSON; None when it failed without printing any."""
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=1800)
    out = result.stdout.strip()
    if not out:
        return [] if result.returncode in (0, 1) else None
    try:
        return json.loads(out)
    except json.JSONDecodeError:
        return None


def actionlint(tool: Path, root: Path, files: list[str]) -> dict[tuple[str, str], list[str]]:
    """actionlint's findings by (file, rule kind): each as `line:col message`."""
    found: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    if not files:
        return found
    items = run_json([str(tool), "-format", "{{json .}}", *files], root) or []
    for item in items:
        key = (item["filepath"], item["kind"])
        found[key].append(f"{item['line']}:{item['column']} {item['message']}")
    return found


def zizmor(tool: Path, root: Path, files: list[str]) -> dict[tuple[str, str], list[str]]:
    """zizmor's findings (offline, pedantic) by (file, audit): all files in one run, or one run
    per file when the batch fails, so that one file zizmor cannot read does not hide the others."""
    found: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    files = [file for file in files if file not in ZIZMOR_ABORTS]
    if not files:
        return found
    base = [str(tool), "--offline", "--persona", "pedantic", "--no-progress", "--format", "json"]
    batch = run_json([*base, *files], root)
    batches = [(files, batch)] if batch is not None else [([file], run_json([*base, file], root)) for file in files]
    for group, items in batches:
        if items is None:
            found[(group[0], "zizmor-failed")].append("zizmor failed on the file")
            continue
        for item in items:
            location = (item.get("locations") or [{}])[0]
            path = location.get("symbolic", {}).get("key", {}).get("Local", {}).get("verbatim_path", group[0])
            start = location.get("concrete", {}).get("location", {}).get("start_point", {})
            where = f"{start.get('row', 0) + 1}:{start.get('column', 0) + 1}"
            found[(path, item["ident"])].append(f"{where} {item.get('desc', '')}")
    return found


def hadolint(tool: Path, root: Path, files: list[str]) -> dict[tuple[str, str], list[str]]:
    """hadolint's findings by (file, rule code)."""
    found: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    if not files:
        return found
    items = run_json([str(tool), "--no-fail", "-f", "json", *files], root) or []
    for item in items:
        found[(item["file"], item["code"])].append(f"{item['line']}:{item['column']} {item['message']}")
    return found


def findings_by_rule(report: Path) -> dict[str, int]:
    """How many findings of each rule a JSON report holds."""
    counts = collections.Counter(f["rule"]["name"] for f in json.loads(report.read_text())["findings"])
    return dict(counts.most_common())


def check_corpus(plimsoll: Path, corpus: Path, work: Path) -> dict[str, int]:
    """The findings by rule of `plimsoll check --isolated` on the corpus as it is."""
    report = work / "before.json"
    argv = [str(plimsoll), "check", "--isolated", "--format", "json", "--output", str(report), corpus.name]
    subprocess.run(argv, cwd=corpus.parent, capture_output=True, text=True)
    return findings_by_rule(report)


def fix_copy(plimsoll: Path, corpus: Path, work: Path, unsafe: bool) -> tuple[Path, float, str, dict[str, int]]:
    """A fixed copy of the corpus: its folder, the fix's wall time, plimsoll's summary, and the
    findings left by rule."""
    copy = work / ("unsafe" if unsafe else "safe") / "real"
    shutil.copytree(corpus, copy, symlinks=True)
    report = work / "report.json"
    argv = [str(plimsoll), "check", "--isolated", "--fix", "--format", "json", "--output", str(report)]
    if unsafe:
        argv.append("--unsafe-fixes")
    argv.append("real")
    start = time.monotonic()
    result = subprocess.run(argv, cwd=copy.parent, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if result.returncode not in (0, 1):
        sys.exit(f"plimsoll failed ({result.returncode}): {result.stderr[-2000:]}")
    summary = next((line for line in result.stderr.splitlines() if "fixed" in line), "").strip()
    return copy, elapsed, summary, findings_by_rule(report)


def compare(mode: str, corpus: Path, copy: Path, peers: dict[str, Path]) -> dict:
    """Run the peers on every changed file, before and after; what each introduced."""
    changed = changed_files(corpus, copy)
    by_kind: dict[str, list[str]] = collections.defaultdict(list)
    for relative in changed:
        kind = kind_of(relative)
        if kind:
            by_kind[kind].append(relative)
    runs = []
    if "actionlint" in peers:
        runs.append(("actionlint", actionlint, by_kind["actions"]))
    if "zizmor" in peers:
        runs.append(("zizmor", zizmor, by_kind["actions"]))
    if "hadolint" in peers:
        runs.append(("hadolint", hadolint, by_kind["dockerfile"]))
    rules: dict[str, dict] = {}
    for name, run, files in runs:
        before = run(peers[name], corpus, files)
        after = run(peers[name], copy, files)
        for key in set(before) | set(after):
            file, rule = key
            entry = rules.setdefault(f"{name}:{rule}", {"before": 0, "after": 0, "introduced": 0, "examples": []})
            was, now = len(before.get(key, [])), len(after.get(key, []))
            entry["before"] += was
            entry["after"] += now
            if now > was:
                entry["introduced"] += now - was
                new = [m for m in after[key] if m not in before.get(key, [])] or after[key]
                if len(entry["examples"]) < 3:
                    entry["examples"].append(f"{file}:{new[0]}")
    return {
        "mode": mode,
        "changed_files": len(changed),
        "changed_by_kind": {kind: len(files) for kind, files in sorted(by_kind.items())},
        "rules": dict(sorted(rules.items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/real")
    parser.add_argument("--plimsoll", type=Path, default=ROOT / "target/release/plimsoll")
    parser.add_argument("--peers-bin", type=Path, default=Path.home() / ".cache/plimsoll-peers/bin")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"skipped: {args.corpus} is absent (the shared corpus of real files)")
        return 0
    if not args.plimsoll.is_file():
        sys.exit(f"{args.plimsoll} is missing: cargo build --release -p plimsoll")
    peers = {}
    for name in ("actionlint", "zizmor", "hadolint"):
        tool = args.peers_bin / name
        if tool.is_file():
            peers[name] = tool
        else:
            print(f"note: {name} is not installed in {args.peers_bin} (../shared/bench/peers.sh); skipped")
    results = []
    introduced = 0
    with tempfile.TemporaryDirectory(prefix="fix-peers-") as work:
        before = check_corpus(args.plimsoll, args.corpus, Path(work))
        for unsafe in (False, True):
            mode = "--fix --unsafe-fixes" if unsafe else "--fix"
            copy, elapsed, summary, left = fix_copy(args.plimsoll, args.corpus, Path(work), unsafe)
            result = compare(mode, args.corpus, copy, peers)
            result["fix_seconds"] = round(elapsed, 2)
            result["summary"] = summary
            result["findings_before"] = before
            result["findings_left"] = left
            results.append(result)
            print(f"## plimsoll check {mode}: {elapsed:.1f} s, {summary}")
            print(f"changed files: {result['changed_files']} {result['changed_by_kind']}")
            print(f"{'peer rule':<40} {'before':>7} {'after':>7} {'introduced':>10}")
            for rule, entry in result["rules"].items():
                print(f"{rule:<40} {entry['before']:>7} {entry['after']:>7} {entry['introduced']:>10}")
                for example in entry["examples"]:
                    print(f"    {example}")
                introduced += entry["introduced"]
            print(f"findings by rule, before → left after {mode} (rules whose count changed, then the 15 most left):")
            changed_rules = [rule for rule in before if left.get(rule, 0) != before[rule]]
            for rule in changed_rules + [r for r in list(left)[:15] if r not in changed_rules]:
                print(f"    {rule:<38} {before.get(rule, 0):>7} → {left.get(rule, 0):>7}")
            print(f"    {'all rules':<38} {sum(before.values()):>7} → {sum(left.values()):>7}")
            print()
            shutil.rmtree(copy.parent)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"introduced findings in all: {introduced}")
    return 1 if introduced else 0


if __name__ == "__main__":
    sys.exit(main())
