#!/usr/bin/env python3
"""Agreement of `plimsoll check` with zizmor, audit by audit, at file + line granularity.

Runs zizmor (`--offline --format json --no-ignores`, in one persona) and plimsoll
(`check --isolated --format json`, with `--strict` when the persona is pedantic or auditor) on
the same GitHub Actions files, then, for each zizmor audit that plimsoll covers (the table
"Coverage of zizmor and actionlint" in docs/rules.md, read here as data), pairs the findings
by file and line:

* both: zizmor's finding has a plimsoll finding of a rule that covers the audit on the same line;
* zizmor only: plimsoll misses it;
* plimsoll only: a finding of a covering rule on a line where zizmor reports none of the audits
  that rule covers.

The headline is recall against zizmor (both / (both + zizmor only), over the covered audits)
and plimsoll's extra findings. zizmor's `# zizmor: ignore[...]` comments are not honoured
(`--no-ignores`), because plimsoll does not read them: both tools see the same text.

Two layouts of input:

* `cases` (default): every `.yml`/`.yaml` file under the folder is a workflow, or an action
  when it is named `action.yml`/`action.yaml` (zizmor's own test inputs, fetched outside the
  repository: they are an evaluation set and are never committed);
* `repos`: a corpus laid out as `<repo>/<path>`, where only `.github/workflows/*` and
  `action.yml`/`action.yaml` files are read (../shared/corpus/real).

Usage:
    cargo build --release -p plimsoll
    python3 bench/zizmor_cases.py /tmp/zizmor-cases [--persona regular|pedantic|auditor]
        [--zizmor ~/.cache/plimsoll-peers/bin/zizmor] [--plimsoll target/release/plimsoll]
        [--layout cases|repos] [--json out.json] [--examples N]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# zizmor aborts on this corpus file (a known crash; bench/fix_peers.py skips it too).
ZIZMOR_ABORTS = {"etcd-io__etcd/.github/workflows/antithesis-test.yml"}
BATCH = 200


def coverage_table(rules_md: Path) -> dict[str, list[str]]:
    """zizmor audit -> the plimsoll rules that cover it, from docs/rules.md's table of zizmor's
    released audits (generated from crates/plimsoll-check/src/peers.rs, so the two cannot
    drift). The table of audits not released is left out: the installed zizmor has none of them."""
    audits: dict[str, list[str]] = {}
    in_zizmor_table = False
    for line in rules_md.read_text(encoding="utf-8").splitlines():
        if line.startswith("| zizmor audit |"):
            in_zizmor_table = True
            continue
        if not line.startswith("|"):
            in_zizmor_table = False
            continue
        if not in_zizmor_table or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) < 2:
            continue
        audit = cells[0].strip("`")
        rules = re.findall(r"\[`([a-z0-9-]+)`\]", cells[1])
        if rules:
            audits[audit] = rules
    return audits


def collect(folder: Path, layout: str) -> list[str]:
    """The files to audit, relative to `folder`, sorted."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in (".yml", ".yaml"):
            continue
        relative = path.relative_to(folder).as_posix()
        if relative in ZIZMOR_ABORTS:
            continue
        if layout == "repos":
            parts = path.relative_to(folder).parts
            in_workflows = len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows"
            if not (in_workflows or path.name in ("action.yml", "action.yaml")):
                continue
        found.append(relative)
    return found


def batches(items: list[str], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def zizmor_findings(zizmor: str, folder: Path, files: list[str], persona: str):
    """(file, line, audit) of every zizmor finding's primary location, and the files zizmor
    could not audit. A batch that fails is retried one file at a time."""
    findings = []
    failed = []

    def run(group: list[str]) -> bool:
        command = [zizmor, "--offline", "--no-ignores", "--format", "json", "--persona", persona]
        done = subprocess.run(
            command + group, cwd=folder, capture_output=True, text=True, check=False
        )
        # zizmor exits 0 when clean, 1x when it reports findings; anything else is a failure.
        if done.returncode not in (0, 10, 11, 12, 13, 14) or not done.stdout.strip():
            return False
        for finding in json.loads(done.stdout):
            for location in finding["locations"]:
                if location["symbolic"]["kind"] != "Primary":
                    continue
                path = location["symbolic"]["key"]["Local"]["verbatim_path"]
                line = location["concrete"]["location"]["start_point"]["row"] + 1
                findings.append((path, line, finding["ident"]))
        return True

    for group in batches(files, BATCH):
        if not run(group):
            for single in group:
                if not run([single]):
                    failed.append(single)
    return findings, failed


def plimsoll_findings(plimsoll: str, folder: Path, files: list[str], strict: bool):
    """(file, line, rule name) of every plimsoll finding."""
    findings = []
    command = [plimsoll, "check", "--isolated", "--format", "json"]
    if strict:
        command.append("--strict")
    for group in batches(files, BATCH):
        done = subprocess.run(
            command + group, cwd=folder, capture_output=True, text=True, check=False
        )
        if done.returncode not in (0, 1):
            sys.exit(f"plimsoll failed ({done.returncode}): {done.stderr.strip()[:400]}")
        for finding in json.loads(done.stdout)["findings"]:
            findings.append((finding["path"], finding["start"]["line"], finding["rule"]["name"]))
    return findings


def compare(zizmor, plimsoll, audits: dict[str, list[str]]):
    """Per audit: both / zizmor only / plimsoll only, with the (file, line) of each."""
    audits_of_rule: dict[str, set[str]] = collections.defaultdict(set)
    for audit, rules in audits.items():
        for rule in rules:
            audits_of_rule[rule].add(audit)
    plimsoll_lines = collections.defaultdict(set)  # (file, line) -> rules
    for path, line, rule in plimsoll:
        plimsoll_lines[(path, line)].add(rule)
    zizmor_lines = collections.defaultdict(set)  # (file, line) -> audits
    for path, line, audit in zizmor:
        zizmor_lines[(path, line)].add(audit)

    result = collections.defaultdict(lambda: {"both": [], "zizmor_only": [], "plimsoll_only": []})
    uncovered = collections.Counter()
    for (path, line), found in sorted(zizmor_lines.items()):
        for audit in sorted(found):
            if audit not in audits:
                uncovered[audit] += 1
                continue
            rules = set(audits[audit])
            kind = "both" if plimsoll_lines.get((path, line), set()) & rules else "zizmor_only"
            result[audit][kind].append(f"{path}:{line}")
    for (path, line), rules in sorted(plimsoll_lines.items()):
        for rule in sorted(rules):
            covered = audits_of_rule.get(rule)
            if not covered:
                continue
            if zizmor_lines.get((path, line), set()) & covered:
                continue
            # Attribute the extra finding to the first audit the rule covers.
            result[sorted(covered)[0]]["plimsoll_only"].append(f"{path}:{line} {rule}")
    return result, uncovered


def located_elsewhere(cells) -> int:
    """How many of an audit's zizmor-only findings pair, file by file, with a plimsoll-only
    finding of the audit's rules in the same file: the same finding anchored on another line
    (plimsoll points at the offending key, zizmor often at its parent), or a miss next to an
    extra; `--examples` shows which."""
    zizmor_files = collections.Counter(item.split(":")[0] for item in cells["zizmor_only"])
    plimsoll_files = collections.Counter(item.split(":")[0] for item in cells["plimsoll_only"])
    return sum(min(count, plimsoll_files[path]) for path, count in zizmor_files.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--persona", default="regular", choices=("regular", "pedantic", "auditor"))
    parser.add_argument(
        "--zizmor", default=str(Path.home() / ".cache/plimsoll-peers/bin/zizmor")
    )
    parser.add_argument("--plimsoll", default=str(ROOT / "target/release/plimsoll"))
    parser.add_argument("--rules-md", type=Path, default=ROOT / "docs/rules.md")
    parser.add_argument("--layout", default="cases", choices=("cases", "repos"))
    parser.add_argument("--json", type=Path, help="write the full comparison here")
    parser.add_argument("--examples", type=int, default=3, help="examples shown per cell")
    args = parser.parse_args()

    folder = args.folder.resolve()
    if not folder.is_dir():
        print(f"skipped: {folder} is not a folder (zizmor's cases are fetched outside the repository)")
        return 0
    if not Path(args.zizmor).exists():
        print(f"skipped: zizmor is not installed at {args.zizmor}")
        return 0
    audits = coverage_table(args.rules_md)
    files = collect(folder, args.layout)
    zizmor, failed = zizmor_findings(args.zizmor, folder, files, args.persona)
    plimsoll = plimsoll_findings(
        str(Path(args.plimsoll).resolve()), folder, files, args.persona != "regular"
    )
    # A file zizmor cannot load has no zizmor verdict: leave plimsoll's findings there out too.
    plimsoll = [finding for finding in plimsoll if finding[0] not in set(failed)]
    result, uncovered = compare(zizmor, plimsoll, audits)

    print(f"{len(files)} files, zizmor persona {args.persona}; zizmor failed on {len(failed)}")
    print(
        f"{'zizmor audit':32} {'both':>6} {'z only':>7} {'p only':>7}  recall"
        f"  {'same file, other line':>21}"
    )
    totals = collections.Counter()
    for audit in sorted(result):
        cells = result[audit]
        both, zonly, ponly = (len(cells[k]) for k in ("both", "zizmor_only", "plimsoll_only"))
        elsewhere = located_elsewhere(cells)
        totals.update(both=both, zizmor_only=zonly, plimsoll_only=ponly, elsewhere=elsewhere)
        recall = f"{both / (both + zonly):.0%}" if both + zonly else "—"
        print(f"{audit:32} {both:6} {zonly:7} {ponly:7}  {recall:>6}  {elsewhere:21}")
    both, zonly, ponly = totals["both"], totals["zizmor_only"], totals["plimsoll_only"]
    recall = both / (both + zonly) if both + zonly else 0.0
    file_recall = (both + totals["elsewhere"]) / (both + zonly) if both + zonly else 0.0
    print(
        f"{'total (covered audits)':32} {both:6} {zonly:7} {ponly:7}  {recall:6.1%}"
        f"  {totals['elsewhere']:21}"
    )
    print(
        f"recall at file+line {recall:.1%}; counting the misses that plimsoll reports on another"
        f" line of the same file (a different anchor for the same finding) {file_recall:.1%};"
        f" plimsoll's extra findings {ponly - totals['elsewhere']} at file level"
    )
    if uncovered:
        listed = ", ".join(f"{audit} {count}" for audit, count in uncovered.most_common())
        print(f"zizmor findings in audits plimsoll does not cover: {listed}")
    if args.examples:
        for audit in sorted(result):
            for kind in ("zizmor_only", "plimsoll_only"):
                for example in result[audit][kind][: args.examples]:
                    print(f"  {audit} {kind}: {example}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "files": len(files),
                    "persona": args.persona,
                    "zizmor_failed": failed,
                    "audits": result,
                    "uncovered": uncovered,
                    "recall": recall,
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
