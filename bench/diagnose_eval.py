#!/usr/bin/env python3
"""Evaluate `plimsoll diagnose` on the labelled failing CI logs in ../shared/ci-logs.

For each set it prints: logs evaluated, failing step found (logs with step markers), and the
share of logs whose best line (top-1) or one of the three best (top-3) lies inside the labelled
lines. Labels:
  logchunks/      the hand-labelled chunk (text) of each Travis log, located in the log
  cidiff/         `E a-b` error-line ranges of fail.log (`C` context lines do not count)
  pytorch-log-classifier/  the `#=MATCH=#` line of each fixture (marker removed before analysis)
  ghalogs-example/  a passing run archive: the verdict must be "succeeded"

Usage: bench/diagnose_eval.py [--binary target/release/plimsoll] [--shared ../shared] [--misses]
                              [--only SET] [--halves]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET

ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*(?:\x07|\x1b\\)|.)")
# Colour codes whose ESC byte the labelling tool dropped: `[0m[31merror[0m]`.
BARE_SGR = re.compile(r"\[[0-9;]*m")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?")


LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(data: str):
    """Lines as plimsoll counts them: \\n, \\r\\n and a lone \\r each end a line (not
    `str.splitlines`, which also ends lines at form feeds and other separators, so a log with
    a form feed would be scored against the wrong line numbers)."""
    lines = LINE_END.split(data)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def norm(line: str) -> str:
    line = ANSI.sub("", line)
    line = "".join(c for c in line if c == "\t" or c >= " ")
    return " ".join(line.split())


def chunk_key(line: str) -> str:
    """A line as LogChunks stored it: the labellers' tool dropped every `<` (so `<<< ERROR!`
    reads ` ERROR!` and `<init>` reads `init>`), colour codes lost their ESC byte and whitespace
    runs differ, so compare without `<`, `&lt;` entities, colour codes and whitespace runs."""
    line = BARE_SGR.sub("", norm(line)).replace("&lt;", "").replace("<", "")
    return " ".join(line.split())


def lines_match(log_line: str, chunk_line: str) -> bool:
    """A chunk line matches a log line when equal, or when one holds the other (the chunk may
    start or end mid-line, and a log line may carry a prefix the chunk lacks)."""
    if log_line == chunk_line:
        return True
    if not chunk_line or not log_line:
        return False
    if len(chunk_line) >= 4 and chunk_line in log_line:
        return True
    return len(log_line) >= 8 and log_line in chunk_line


def diagnose(binary, path, extra=()):
    proc = subprocess.run(
        [binary, "diagnose", "--format", "json", *extra, path],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return json.loads(proc.stdout)["logs"][0], None


def ranked_lines(log):
    best = log.get("exact_line")
    lines = [best["line"]] if best else []
    lines += [c["line"] for c in log.get("runner_ups", [])]
    return lines


def locate_chunk(log_lines, chunk):
    """1-based line ranges where the chunk's lines appear consecutively in the log.

    Tolerant of the ways a stored chunk differs from its log: whitespace, dropped `<`, blank
    lines added or removed, and a first or last line cut mid-line. Every chunk line is tried as
    the anchor (so a garbled first line does not lose the chunk); the alignment matching the
    most chunk lines wins, and it must cover at least half of the chunk's non-blank lines."""
    chunk_lines = [chunk_key(l) for l in split_lines(chunk)]
    chunk_lines = [l for l in chunk_lines if l]
    if not chunk_lines:
        return None
    normed = [chunk_key(l) for l in log_lines]
    best = None
    for anchor, first in enumerate(chunk_lines):
        if best and best[0] >= len(chunk_lines) - anchor:
            break  # a later anchor cannot beat the match already found
        for i, line in enumerate(normed):
            if not lines_match(line, first):
                continue
            # Follow the chunk forward; blank log lines and unmatched chunk lines are skipped.
            j, k, matched, last = i, anchor, 0, i
            misses = 0
            while j < len(normed) and k < len(chunk_lines):
                if lines_match(normed[j], chunk_lines[k]):
                    matched += 1
                    last = j
                    j += 1
                    k += 1
                    misses = 0
                elif not normed[j]:
                    j += 1
                elif misses < 2:
                    k += 1  # a chunk line the log does not have verbatim
                    misses += 1
                else:
                    break
            start = i - anchor if anchor else i
            span = (max(1, start + 1), last + 1 + (len(chunk_lines) - k))
            if best is None or matched > best[0]:
                best = (matched, span)
    if best is None or best[0] * 2 < min(len(chunk_lines), 2):
        return None
    return [best[1]]


def inside(line, ranges):
    return any(a <= line <= b for a, b in ranges)


class Tally:
    def __init__(self, name):
        self.name = name
        self.n = 0
        self.top1 = 0
        self.top3 = 0
        self.step_n = 0
        self.step_ok = 0
        self.misses = []

    def add(self, ident, ranked, ranges, step_ok=None, texts=None):
        self.n += 1
        hit1 = bool(ranked) and inside(ranked[0], ranges)
        hit3 = any(inside(l, ranges) for l in ranked[:3])
        self.top1 += hit1
        self.top3 += hit3
        if step_ok is not None:
            self.step_n += 1
            self.step_ok += bool(step_ok)
        if not hit1:
            self.misses.append((ident, ranked[:3], ranges, texts))

    def row(self):
        pct = lambda a, b: f"{100.0 * a / b:5.1f}%" if b else "    -"
        step = f"{self.step_ok}/{self.step_n}" if self.step_n else "-"
        return f"| {self.name:<24} | {self.n:>4} | {step:>9} | {pct(self.top1, self.n)} | {pct(self.top3, self.n)} |"


def logchunks_repositories(base):
    """The labelled repositories' XML files, sorted by path (`<language>/<owner>@<repo>.xml`)."""
    found = []
    for dirpath, _, files in os.walk(os.path.join(base, "build-failure-reason")):
        found += [os.path.join(dirpath, name) for name in files if name.endswith(".xml")]
    return sorted(found)


def eval_logchunks(binary, root, tally, halves=None):
    """With `halves` (two tallies), also score the repositories in alternating sorted order:
    half A to tune the ranking on, half B held out to confirm it generalises (a repository's
    logs look alike, so the split is by repository, never by log)."""
    base = os.path.join(root, "logchunks")
    for index, xml in enumerate(logchunks_repositories(base)):
        for example in ET.parse(xml).getroot().iter("Example"):
            rel = example.findtext("Log")
            chunk = example.findtext("Chunk") or ""
            path = os.path.join(base, "logs", rel)
            if not os.path.exists(path):
                continue
            with open(path, encoding="utf-8", errors="replace", newline="") as f:
                log_lines = split_lines(f.read())
            ranges = locate_chunk(log_lines, chunk)
            if not ranges:
                continue
            log, err = diagnose(binary, path)
            ranked = ranked_lines(log) if log else []
            texts = [log_lines[l - 1][:160] for l in ranked[:3] if 0 < l <= len(log_lines)]
            tally.add(rel, ranked, ranges, texts=texts)
            if halves:
                halves[index % 2].add(rel, ranked, ranges, texts=texts)


def eval_cidiff(binary, root, tally):
    base = os.path.join(root, "cidiff")
    for case in sorted(os.listdir(base)):
        gt = os.path.join(base, case, "groundtruth")
        fail = os.path.join(base, case, "fail.log")
        if not os.path.exists(gt) or not os.path.exists(fail):
            continue
        with open(gt) as f:
            rows = f.read().split("\n")
        kind = rows[0].strip()
        ranges = []
        for row in rows[1:]:
            parts = row.split()
            if len(parts) == 2 and parts[0] == "E":
                a, _, b = parts[1].partition("-")
                ranges.append((int(a), int(b or a)))
        log, err = diagnose(binary, fail)
        ranked = ranked_lines(log) if log else []
        step_ok = None
        if kind in ("RAW_GITHUB", "FULL_GITHUB"):
            step = log and log.get("failing_step")
            # The failing step holds the labelled error lines.
            step_ok = bool(step) and any(
                step["first_line"] <= a <= step["last_line"] for a, _ in ranges
            )
        with open(fail, encoding="utf-8", errors="replace", newline="") as f:
            log_lines = split_lines(f.read())
        texts = [log_lines[l - 1][:160] for l in ranked[:3] if 0 < l <= len(log_lines)]
        tally.add(case, ranked, ranges, step_ok, texts)


def eval_pytorch(binary, root, tally):
    base = os.path.join(root, "pytorch-log-classifier")
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(base)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(base, name), encoding="utf-8", newline="") as f:
                lines = split_lines(f.read())
            clean, match = [], None
            for line in lines:
                if line.startswith("#=SOURCE=#"):
                    continue
                if line.startswith("#=MATCH=# "):
                    line = line[len("#=MATCH=# "):]
                    match = len(clean) + 1
                clean.append(line.replace("‹", "").replace("›", ""))
            if match is None:
                continue
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(clean) + "\n")
            log, err = diagnose(binary, path)
            ranked = ranked_lines(log) if log else []
            step = log and log.get("failing_step")
            step_ok = bool(step) and step["first_line"] <= match <= step["last_line"]
            texts = [clean[l - 1][:160] for l in ranked[:3] if 0 < l <= len(clean)]
            tally.add(name, ranked, [(match, match)], step_ok, texts)


def eval_archive(binary, root):
    archive = os.path.join(root, "ghalogs-example", "log.tar.gz")
    if not os.path.exists(archive):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                try:
                    tar.extract(member, tmp, filter="data")
                except OSError:
                    pass  # a name clash inside the archive; the rest still reads
        log, err = diagnose(binary, tmp)
        if log is None:
            return f"error: {err}"
        jobs = len(log["jobs"])
        steps = sum(len(j["steps"]) for j in log["jobs"])
        return f"verdict {log['verdict']} ({jobs} jobs, {steps} steps read)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/plimsoll")
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--misses", action="store_true", help="list the top-1 misses")
    parser.add_argument("--only", help="evaluate one set: logchunks, cidiff, pytorch")
    parser.add_argument(
        "--halves",
        action="store_true",
        help="also score LogChunks by alternating repositories: A (tuned on), B (held out)",
    )
    args = parser.parse_args()
    root = os.path.join(args.shared, "ci-logs")
    if not os.path.isdir(root):
        print(f"skipped: {root} absent")
        return 0
    sets = [
        ("LogChunks (Travis)", eval_logchunks, "logchunks"),
        ("CiDiff (Jenkins+GHA)", eval_cidiff, "cidiff"),
        ("pytorch fixtures (GHA)", eval_pytorch, "pytorch"),
    ]
    print("| set                      | logs | fail step | top-1  | top-3  |")
    print("|--------------------------|------|-----------|--------|--------|")
    tallies = []
    for name, fn, key in sets:
        if args.only and args.only != key:
            continue
        tally = Tally(name)
        if key == "logchunks" and args.halves:
            halves = [Tally("LogChunks A (tuned on)"), Tally("LogChunks B (held out)")]
            fn(args.binary, root, tally, halves)
            tallies.append(tally)
            print(tally.row(), flush=True)
            for half in halves:
                print(half.row(), flush=True)
            continue
        fn(args.binary, root, tally)
        tallies.append(tally)
        print(tally.row(), flush=True)
    if not args.only:
        print(f"\nrun-log archive (ghalogs-example): {eval_archive(args.binary, root)}")
    if args.misses:
        for tally in tallies:
            print(f"\n## misses in {tally.name}")
            for ident, ranked, ranges, texts in tally.misses:
                print(f"- {ident}: ranked {ranked} labelled {ranges[:3]}")
                for t in texts or []:
                    print(f"    > {t!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
