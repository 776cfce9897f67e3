#!/usr/bin/env python3
"""Evaluate `plimsoll diagnose` on every labelled set of failing CI logs in ../shared/ci-logs.

Headline: grouped figures. Every set is split by repository: a fixed test split (30% of each
set's repositories, by a hash of the name) is held out and only aggregate figures are printed for
it, never its misses; the rest is cut into 5 repository folds. plimsoll's signatures are
hand-written, so nothing about line ranking is fitted here; what is fitted (the confidence
calibration) is fitted on the other folds / the other CI systems only. Figures:
  lines    top-1 / top-3: the best line (or one of the three best) lies in the labelled lines
  classes  accuracy against the constant "genuine code bug" answer, on the cases with a class
  calibration  confidence bins -> accuracy, with the expected calibration error (ECE)
Labels:
  logchunks/   the hand-labelled chunk (text) of each Travis log, located in the log
  cidiff/      `E a-b` error-line ranges of fail.log (`C` context lines do not count)
  pytorch-log-classifier/  the `#=MATCH=#` line of each fixture (marker removed before analysis)
  treeherder/  any line Treeherder's parser flags; passing logs must not be called failed
  bugswarm-travis/  a line naming a failed test, or in its failure block (8 lines after it)
  ghalogs-example/  a passing run archive: the verdict must be "succeeded"
Classes come from the sets' documented meaning (bugswarm: failed tests are code bugs or flaky;
pytorch fixtures and a few CiDiff cases: their names / the issue that reported them).

Usage: bench/diagnose_eval.py [--binary target/release/plimsoll] [--shared ../shared] [--misses]
                              [--only SET] [--fit-calibration TOML]
"""

import argparse
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

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


def logchunks_repositories(base):
    """The labelled repositories' XML files, sorted by path (`<language>/<owner>@<repo>.xml`)."""
    found = []
    for dirpath, _, files in os.walk(os.path.join(base, "build-failure-reason")):
        found += [os.path.join(dirpath, name) for name in files if name.endswith(".xml")]
    return sorted(found)


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


# ---------------------------------------------------------------------------------------------
# Groups, splits and class labels
# ---------------------------------------------------------------------------------------------

# Share of each set's repositories held out as the fixed test split (by a hash of the set and
# repository name, so the split never changes and never depends on the logs' contents).
TEST_PERCENT = 30
FOLDS = 5

CLASSES = [
    "missing-dependency",
    "tool-version",
    "cache-corruption",
    "permission",
    "matrix-toolchain",
    "flaky",
    "code-bug",
]
BASELINE_CLASS = "code-bug"


def bucket(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100


def split_of(set_key: str, repo: str) -> str:
    return "test" if bucket(f"{set_key}:{repo}") < TEST_PERCENT else "train"


def fold_of(set_key: str, repo: str) -> int:
    return int(hashlib.sha256(f"fold:{set_key}:{repo}".encode()).hexdigest()[:8], 16) % FOLDS


# Class labels where a set carries none: given by the documented meaning of the case (its
# name, or the issue that reported it), never by what plimsoll answers. A set of classes means
# either is right (a timed-out test can be flaky or a bug).
PYTORCH_CLASSES = {
    "aws_credentials_load_failure.txt": {"permission"},
    "docker_manifest_unknown.txt": {"flaky"},  # registry image pull failed
    "gh_api_rate_limit.txt": {"flaky"},
    "gha_cancellation_shutdown.txt": {"flaky"},  # runner shut down
    "gha_timeout.txt": {"flaky"},  # job hit its time limit
    "s3_access_denied.txt": {"permission"},
    "uv_python_download_failed.txt": {"flaky"},  # DNS failure downloading Python
}
CIDIFF_CLASSES = {
    "assertfixer_1320": {"flaky"},  # git fetch got HTTP 503
    "spork_441": {"flaky"},  # git clone of the remote failed
    "astor_1278": {"flaky"},  # the agent's channel closed: lost runner
    "jodatime_2082": {"flaky"},  # no space left on device: infrastructure
    "sorald_445": {"flaky"},  # no space left on device: infrastructure
    "cocospoon_1754": {"tool-version"},  # class file has wrong version 55.0, should be 52.0
    "jperturb_1634": {"tool-version"},
    "metamutator_1765": {"tool-version"},
    "google_auto_693": {"tool-version"},
    "cv_45": {"permission"},  # git: unsafe repository, owned by someone else
    "cidiff_11": {"code-bug"},  # a test FAILED
    "commonslang_2089": {"code-bug"},  # assertion failure
    "astor_1260": {"code-bug"},  # compilation errors
}


def treeherder_classes(name: str):
    """Treeherder's labels flag lines, not causes, and Mozilla's test failures are often
    intermittent: a failing test, crash or leak is a code bug or flaky; a build failure a code
    bug. What the check catches is a setup, permission or version answer to them."""
    if name.startswith(("talos", "windows-stuff", "taskcluster-only", "mozilla-", "ux_")):
        return None
    if name.startswith("build-fail"):
        return {"code-bug"}
    if any(w in name for w in ("fail", "crash", "leak", "asan", "exception", "jserror", "error", "timeout")):
        return {"code-bug", "flaky"}
    return None


# ---------------------------------------------------------------------------------------------
# Running plimsoll
# ---------------------------------------------------------------------------------------------


def diagnose(binary, path, extra=(), stdin=None):
    proc = subprocess.run(
        [binary, "diagnose", "--format", "json", *extra, path],
        capture_output=True,
        input=stdin,
    )
    if proc.returncode != 0:
        return None, proc.stderr.decode(errors="replace").strip()
    return json.loads(proc.stdout)["logs"][0], None


def ranked_lines(log):
    best = log.get("exact_line")
    lines = [best["line"]] if best else []
    lines += [c["line"] for c in log.get("runner_ups", [])]
    return lines


class Case:
    """One labelled log: where it comes from, how to score its lines, and what plimsoll said."""

    def __init__(self, set_key, ident, repo, ci, language, gold=None):
        self.set_key = set_key
        self.ident = ident
        self.repo = repo
        self.ci = ci
        self.language = language
        self.gold = gold  # acceptable classes, or None
        self.split = split_of(set_key, repo)
        self.fold = fold_of(set_key, repo)
        self.line_scored = False
        self.hit1 = self.hit3 = False
        self.expect_pass = False  # a passing log: scored on its verdict
        self.verdict = None
        self.ranked = []
        self.texts = []
        self.label_text = ""
        self.cls = "unknown"
        self.candidates = []
        self.raw = 0.0
        self.confidence = 0.0
        self.error = None
        self.passing_hits = None  # (top-1, top-3) with `--passing`, for a pair with a green run

    def record(self, log, err):
        if log is None:
            self.error = err
            return
        self.verdict = log.get("verdict")
        self.ranked = ranked_lines(log)
        c = log.get("classification") or {}
        self.cls = c.get("class", "unknown")
        self.candidates = c.get("candidates", [])
        self.confidence = float(c.get("confidence", 0.0))
        self.raw = float(c.get("raw_confidence", self.confidence))

    def score_ranges(self, ranges):
        self.line_scored = True
        self.hit1 = bool(self.ranked) and inside(self.ranked[0], ranges)
        self.hit3 = any(inside(l, ranges) for l in self.ranked[:3])

    @property
    def answer(self):
        """The class answered: an "unknown" counts as its first candidate class."""
        if self.cls == "unknown" and self.candidates:
            return self.candidates[0]
        return self.cls

    @property
    def class_right(self):
        return self.gold is not None and self.answer in self.gold


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        return split_lines(f.read())


def cases_logchunks(root):
    base = os.path.join(root, "logchunks")
    for xml in logchunks_repositories(base):
        for example in ET.parse(xml).getroot().iter("Example"):
            rel = example.findtext("Log")
            chunk = example.findtext("Chunk") or ""
            path = os.path.join(base, "logs", rel)
            if not os.path.exists(path):
                continue
            language, repo = rel.split("/")[0], rel.split("/")[1]
            case = Case("logchunks", rel, repo, "travis", language)

            def run(binary, case=case, path=path, chunk=chunk):
                log_lines = read_lines(path)
                ranges = locate_chunk(log_lines, chunk)
                if not ranges:
                    return False
                case.record(*diagnose(binary, path))
                case.score_ranges(ranges)
                case.texts = [log_lines[l - 1][:160] for l in case.ranked[:3] if 0 < l <= len(log_lines)]
                return True

            yield case, run


def cidiff_ranges(rows):
    ranges = []
    for row in rows[1:]:
        parts = row.split()
        if len(parts) == 2 and parts[0] == "E":
            a, _, b = parts[1].partition("-")
            ranges.append((int(a), int(b or a)))
    return ranges


def cases_cidiff(root):
    base = os.path.join(root, "cidiff")
    for name in sorted(os.listdir(base)):
        gt = os.path.join(base, name, "groundtruth")
        fail = os.path.join(base, name, "fail.log")
        if not os.path.exists(gt) or not os.path.exists(fail):
            continue
        with open(gt) as f:
            rows = f.read().split("\n")
        ci = "github" if rows[0].strip() in ("RAW_GITHUB", "FULL_GITHUB") else "jenkins"
        repo = name.rsplit("_", 1)[0]
        case = Case("cidiff", name, repo, ci, "Java", CIDIFF_CLASSES.get(name))

        def run(binary, case=case, fail=fail, rows=rows, name=name):
            case.record(*diagnose(binary, fail))
            ranges = cidiff_ranges(rows)
            case.score_ranges(ranges)
            lines = read_lines(fail)
            case.texts = [lines[l - 1][:160] for l in case.ranked[:3] if 0 < l <= len(lines)]
            passed = os.path.join(base, name, "pass.log")
            if os.path.exists(passed):
                # The same failing log compared with its passing run (`--passing`).
                log, _ = diagnose(binary, fail, ["--passing", passed])
                ranked = ranked_lines(log) if log else []
                case.passing_hits = (bool(ranked) and inside(ranked[0], ranges),
                                     any(inside(l, ranges) for l in ranked[:3]))
            return True

        yield case, run

        passed = os.path.join(base, name, "pass.log")
        if os.path.exists(passed):
            # The pair's green run: scored on its verdict alone (no failure to find).
            green = Case("cidiff", name + "/pass", repo, ci, "Java", None)

            def run_green(binary, case=green, passed=passed):
                case.record(*diagnose(binary, passed))
                case.expect_pass = True
                return True

            yield green, run_green


def cases_pytorch(root, tmp):
    base = os.path.join(root, "pytorch-log-classifier")
    for name in sorted(os.listdir(base)):
        if not name.endswith(".txt"):
            continue
        case = Case("pytorch", name, "pytorch/pytorch", "github", "Python", PYTORCH_CLASSES.get(name))

        def run(binary, case=case, name=name):
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
                return False
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(clean) + "\n")
            case.record(*diagnose(binary, path))
            case.score_ranges([(match, match)])
            case.texts = [clean[l - 1][:160] for l in case.ranked[:3] if 0 < l <= len(clean)]
            return True

        yield case, run


def read_jsonl(path):
    """The objects of a JSON-lines label file, or none when it is absent."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def cases_treeherder(root):
    base = os.path.join(root, "treeherder")
    for row in read_jsonl(os.path.join(base, "labels.jsonl")):
        name = row["log"]
        case = Case("treeherder", name, "mozilla/gecko", "taskcluster", "C++", None)
        lines = sorted({e["line"] for e in row.get("errors", [])})
        if lines:
            case.gold = treeherder_classes(name)

        def run(binary, case=case, name=name, lines=lines):
            with gzip.open(os.path.join(base, name), "rb") as f:
                data = f.read()
            case.record(*diagnose(binary, "-", stdin=data))
            if lines:
                case.score_ranges([(l, l) for l in lines])
            else:
                case.expect_pass = True
            return True

        yield case, run


def test_tokens(name: str):
    """What names a failed test in a log line: its method and class (or module) names, or a
    Jest title as a whole."""
    if " › " in name:
        return {name.split(" › ")[-1].strip().lower()}
    tokens = set()
    m = re.match(r"^\s*([\w\[\]\-.,' ]+?)\s*\(([\w.$]+)\)", name)
    if m:  # `method(pkg.Class)` or `test_x (pkg.mod.Class)`
        tokens.add(m.group(1).split("[")[0].strip())
        tokens.add(m.group(2).split(".")[-1])
    else:
        parts = [p for p in re.split(r"::|\.", name.split("(")[0].split("[")[0]) if p]
        tokens.update(parts[-2:])
    return {t for t in tokens if len(t) >= 5 and t.lower() not in ("test", "tests", "testsuite")}


FAILURE_BLOCK = 8


def bugswarm_hits(lines, failed_tests):
    """1-based lines that name a failed test, and those of each such test's failure block."""
    tokens = set()
    for name in failed_tests:
        tokens |= test_tokens(name)
    lowered = [t.lower() for t in tokens]
    hits = set()
    for number, line in enumerate(lines, 1):
        text = norm(line).lower()
        if any(t in text for t in lowered):
            hits.update(range(number, number + FAILURE_BLOCK + 1))
    return hits


def bugswarm_repo(lines, fallback):
    for line in lines[:400]:
        m = re.search(r"git clone .*?github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?(?:\s|$)", norm(line))
        if m:
            return m.group(1)
    return fallback


BUGSWARM_LANGUAGE = {"ant": "Java", "gradle": "Java", "maven": "Java", "result_comparer": "Java",
                     "build_system_testing": "Java", "javascript": "JavaScript", "python": "Python"}


def cases_bugswarm(root):
    base = os.path.join(root, "bugswarm-travis")
    for row in read_jsonl(os.path.join(base, "labels.jsonl")):
        failed = row.get("failed_tests")
        if not failed:
            continue
        path = os.path.join(base, row["file"])
        if not os.path.exists(path):
            continue
        lines = read_lines(path)
        folder = row["file"].split("/")[0]
        repo = row.get("repo") or bugswarm_repo(lines, row["file"])
        language = BUGSWARM_LANGUAGE.get(folder, "Java")
        if folder == "result_comparer" and any("::" in t for t in failed):
            language = "Python"
        case = Case("bugswarm", row["file"], repo, "travis", language, {"code-bug", "flaky"})

        def run(binary, case=case, path=path, lines=lines, failed=failed):
            hits = bugswarm_hits(lines, failed)
            case.record(*diagnose(binary, path))
            case.line_scored = True
            case.hit1 = bool(case.ranked) and case.ranked[0] in hits
            case.hit3 = any(l in hits for l in case.ranked[:3])
            case.texts = [lines[l - 1][:160] for l in case.ranked[:3] if 0 < l <= len(lines)]
            return True

        yield case, run


# ---------------------------------------------------------------------------------------------
# Calibration: confidence bins -> accuracy, fitted on training folds only
# ---------------------------------------------------------------------------------------------

BINS = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0001]


def bin_of(p):
    for i in range(len(BINS) - 1):
        if BINS[i] <= p < BINS[i + 1]:
            return i
    return len(BINS) - 2


def fit_calibration(cases):
    """Histogram binning of the raw confidence with a prior of 2 pseudo-cases at the bin's
    middle ((right + 2 * mid) / (n + 2)), made monotone by pooling adjacent bins that violate
    the order (isotonic regression): more agreeing evidence never means less confidence."""
    blocks = []  # [value, weight, bins]
    for i in range(len(BINS) - 1):
        mid = (BINS[i] + min(BINS[i + 1], 1.0)) / 2
        members = [c for c in cases if bin_of(c.raw) == i]
        right = sum(c.class_right for c in members)
        blocks.append([(right + 2 * mid) / (len(members) + 2), len(members) + 2, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    table = []
    for value, _, n in blocks:
        table += [value] * n
    return table


def calibrate(table, raw):
    return table[bin_of(raw)]


def grouped_predictions(cases, group_of):
    """Each case with a confidence calibrated on the groups it is not in."""
    groups = sorted({group_of(c) for c in cases})
    out = []
    for g in groups:
        train = [c for c in cases if group_of(c) != g]
        table = fit_calibration(train)
        for c in cases:
            if group_of(c) == g:
                out.append((c, calibrate(table, c.raw)))
    return out


def calibration_rows(pairs):
    rows = []
    for i in range(len(BINS) - 1):
        members = [(c, p) for c, p in pairs if bin_of(p) == i]
        if not members:
            continue
        acc = sum(c.class_right for c, _ in members) / len(members)
        mean = sum(p for _, p in members) / len(members)
        rows.append((f"{BINS[i]:.1f}-{min(BINS[i + 1], 1.0):.1f}", len(members), mean, acc))
    return rows


def ece(pairs):
    if not pairs:
        return 0.0
    return sum(n * abs(mean - acc) for _, n, mean, acc in calibration_rows(pairs)) / len(pairs)


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "    -"


def line_row(name, cases):
    scored = [c for c in cases if c.line_scored]
    n = len(scored)
    return (f"| {name:<34} | {n:>4} | {pct(sum(c.hit1 for c in scored), n)} "
            f"| {pct(sum(c.hit3 for c in scored), n)} |")


def class_row(name, cases):
    labelled = [c for c in cases if c.gold is not None]
    n = len(labelled)
    right = sum(c.class_right for c in labelled)
    base = sum(BASELINE_CLASS in c.gold for c in labelled)
    decided = [c for c in labelled if c.cls != "unknown"]
    return (f"| {name:<34} | {n:>4} | {pct(right, n)} | {pct(base, n)} "
            f"| {pct(sum(c.class_right for c in decided), len(decided))} ({len(decided)}) |")


def flaky_row(name, cases):
    """Flaky recall and precision on the cases whose label decides it: recall over the cases
    labelled flaky alone, precision over the flaky answers among cases labelled one class. A
    label "code bug or flaky" (a timed-out test) decides neither, so it is left out of both and
    its flaky answers are counted apart."""
    decided = [c for c in cases if c.gold is not None and len(c.gold) == 1]
    flaky = [c for c in decided if c.gold == {"flaky"}]
    said = [c for c in decided if c.answer == "flaky"]
    either = [c for c in cases if c.gold is not None and len(c.gold) > 1 and "flaky" in c.gold]
    recall = sum(c.answer == "flaky" for c in flaky)
    precise = sum(c.gold == {"flaky"} for c in said)
    return (f"| {name:<34} | {len(flaky):>5} | {pct(recall, len(flaky))} ({recall}) "
            f"| {pct(precise, len(said))} ({precise}/{len(said)}) "
            f"| {sum(c.answer == 'flaky' for c in either)}/{len(either)} |")


def class_cell(cases):
    labelled = [c for c in cases if c.gold is not None]
    right = sum(c.class_right for c in labelled)
    base = sum(BASELINE_CLASS in c.gold for c in labelled)
    return f"{pct(right, len(labelled))} vs {pct(base, len(labelled))} ({len(labelled)})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="target/release/plimsoll")
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--misses", action="store_true",
                        help="list the top-1 misses of the TRAINING split (never the test split)")
    parser.add_argument("--only", help="evaluate one set: logchunks, cidiff, pytorch, treeherder, bugswarm")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", help="write the per-case results of the training split here")
    parser.add_argument("--fit-calibration", metavar="TOML",
                        help="write the calibration fitted on the whole training split to TOML")
    args = parser.parse_args()
    root = os.path.join(args.shared, "ci-logs")
    if not os.path.isdir(root):
        print(f"skipped: {root} absent")
        return 0
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        sources = {
            "logchunks": cases_logchunks(root),
            "cidiff": cases_cidiff(root),
            "pytorch": cases_pytorch(root, tmp),
            "treeherder": cases_treeherder(root),
            "bugswarm": cases_bugswarm(root),
        }
        work = []
        for key, gen in sources.items():
            if args.only and args.only != key:
                continue
            work.extend(gen)
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            kept = list(pool.map(lambda w: w[0] if w[1](args.binary) else None, work))
        cases = [c for c in kept if c is not None]
    errors = [c for c in cases if c.error]
    names = {"logchunks": "LogChunks (Travis)", "cidiff": "CiDiff (Jenkins+GHA)",
             "pytorch": "pytorch fixtures (GHA)", "treeherder": "treeherder (Taskcluster)",
             "bugswarm": "bugswarm-travis (tests named)"}
    train = [c for c in cases if c.split == "train"]
    test = [c for c in cases if c.split == "test"]

    print(f"plimsoll diagnose on ../shared/ci-logs: {len(cases)} logs "
          f"({len(train)} training split, {len(test)} fixed test split = {TEST_PERCENT}% of each "
          f"set's repositories by hash; {len(errors)} runs failed)\n")
    print("## Lines: top-1 / top-3 (signatures are hand-written: no parameter is fitted, so the")
    print("## grouped figure is the mean over repository folds; the test split is the honest one)\n")
    print("| set                                | logs | top-1  | top-3  |")
    print("|------------------------------------|------|--------|--------|")
    for key, name in names.items():
        subset = [c for c in cases if c.set_key == key]
        if not any(c.line_scored for c in subset):
            continue
        print(line_row(f"{name}, all (in-sample)", subset))
        print(line_row(f"  training split", [c for c in subset if c.split == "train"]))
        folds = []
        for f in range(FOLDS):
            fold = [c for c in subset if c.split == "train" and c.fold == f and c.line_scored]
            if fold:
                folds.append((sum(c.hit1 for c in fold) / len(fold), sum(c.hit3 for c in fold) / len(fold), len(fold)))
        if folds:
            n = sum(w for _, _, w in folds)
            lo = min(a for a, _, _ in folds)
            hi = max(a for a, _, _ in folds)
            print(f"| {'  grouped CV (' + str(len(folds)) + ' repo folds)':<34} | {n:>4} "
                  f"| {100 * sum(a * w for a, _, w in folds) / n:5.1f}% | {100 * sum(b * w for _, b, w in folds) / n:5.1f}% |"
                  f"  top-1 range over folds {100 * lo:.0f}-{100 * hi:.0f}%")
        print(line_row(f"  TEST split (held out)", [c for c in subset if c.split == "test"]))
    print()
    for key, name in names.items():
        passing = [c for c in cases if c.expect_pass and c.set_key == key]
        if passing:
            ok = sum(c.verdict != "failed" for c in passing)
            passed = sum(c.verdict == "succeeded" for c in passing)
            print(f"{name}: passing logs given no failure verdict {ok}/{len(passing)}, "
                  f"verdict \"succeeded\" {passed}/{len(passing)}")

    for title, group_of in (("CI system", lambda c: c.ci), ("language", lambda c: c.language)):
        print(f"\n## Leave one {title} out (lines: per held-out group; nothing is fitted on lines)\n")
        print(f"| {title:<34} | logs | top-1  | top-3  | class right vs const. code-bug (labelled) |")
        print("|------------------------------------|------|--------|--------|-------------------------------------------|")
        groups = sorted({group_of(c) for c in train if c.line_scored or c.gold is not None})
        for g in groups:
            members = [c for c in train if group_of(c) == g]
            if sum(c.line_scored for c in members) >= 3 or any(c.gold for c in members):
                print(f"{line_row(g, members)} {class_cell(members)} |")

    print("\n## Class accuracy (answer = class, or the first candidate of an \"unknown\")\n")
    print("| cases                              | logs | right  | const. code-bug | right when decided (n) |")
    print("|------------------------------------|------|--------|-----------------|------------------------|")
    print(class_row("all labelled (in-sample)", cases))
    print(class_row("training split", train))
    print(class_row("TEST split (held out)", test))
    for key, name in names.items():
        subset = [c for c in cases if c.set_key == key]
        if any(c.gold for c in subset):
            print(class_row(f"{name}, all", subset))
            print(class_row("  training split", [c for c in subset if c.split == "train"]))
            print(class_row("  TEST split", [c for c in subset if c.split == "test"]))

    print("\n## Flaky: recall and precision where a label decides (labels of one class)\n")
    print("| cases                              | flaky | recall | precision | flaky said on \"bug or flaky\" |")
    print("|------------------------------------|-------|--------|-----------|--------------------------------|")
    print(flaky_row("all labelled (in-sample)", cases))
    print(flaky_row("training split", train))
    print(flaky_row("TEST split (held out)", test))

    paired = [c for c in cases if c.passing_hits is not None]
    if paired:
        print("\n## CiDiff with and without --passing (the pair's green run)\n")
        print("| cases                              | logs | top-1 without | top-3 without | top-1 with | top-3 with |")
        print("|------------------------------------|------|---------------|---------------|------------|------------|")
        for title, members in (("all (in-sample)", paired),
                               ("training split", [c for c in paired if c.split == "train"]),
                               ("TEST split (held out)", [c for c in paired if c.split == "test"])):
            n = len(members)
            print(f"| {title:<34} | {n:>4} | {pct(sum(c.hit1 for c in members), n):>13} "
                  f"| {pct(sum(c.hit3 for c in members), n):>13} "
                  f"| {pct(sum(c.passing_hits[0] for c in members), n):>10} "
                  f"| {pct(sum(c.passing_hits[1] for c in members), n):>10} |")

    labelled = [c for c in train if c.gold is not None]
    print("\n## Calibration (training split; raw = plimsoll's confidence as printed)\n")
    for title, pairs in (
        ("as printed (in-sample)", [(c, c.confidence) for c in labelled]),
        ("fitted on the other repository folds", grouped_predictions(labelled, lambda c: c.fold)),
        ("fitted leaving the CI system out", grouped_predictions(labelled, lambda c: c.ci)),
    ):
        print(f"{title}: ECE {ece(pairs):.3f}")
        print("| confidence | cases | mean conf. | accuracy |")
        print("|------------|-------|------------|----------|")
        for label, n, mean, acc in calibration_rows(pairs):
            print(f"| {label:<10} | {n:>5} | {mean:10.2f} | {acc:8.2f} |")
        print()
    test_labelled = [c for c in test if c.gold is not None]
    if test_labelled:
        table = fit_calibration(labelled)
        pairs = [(c, calibrate(table, c.raw)) for c in test_labelled]
        printed = [(c, c.confidence) for c in test_labelled]
        print(f"TEST split ({len(test_labelled)} labelled): ECE as printed {ece(printed):.3f}, "
              f"fitted on the training split {ece(pairs):.3f}")
    if args.fit_calibration:
        table = fit_calibration(labelled)
        text = (
            "# Calibration of the classification's confidence: the share of the evidence that agrees\n"
            "# with the class (raw confidence) -> the accuracy seen for such shares on the training\n"
            "# split of ../shared/ci-logs (histogram bins, made monotone). Written by\n"
            "# `bench/diagnose_eval.py --fit-calibration`; its grouped figures refit it per fold.\n"
        )
        text += f"edges = [{', '.join(f'{b:.1f}' for b in BINS[:-1])}]\n"
        # No bin is certain: a confidence of 1.00 would claim what a sample cannot show.
        text += f"accuracy = [{', '.join(f'{min(p, 0.99):.2f}' for p in table)}]\n"
        with open(args.fit_calibration, "w") as f:
            f.write(text)
    if not args.only:
        print(f"\nrun-log archive (ghalogs-example): {eval_archive(args.binary, root)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{k: v for k, v in vars(c).items() if k != "gold"} | {"gold": sorted(c.gold or [])}
                       for c in train], f, indent=1)
    if args.misses:
        print("\n## top-1 misses, training split only")
        for c in train:
            if c.line_scored and not c.hit1:
                print(f"- {c.set_key} {c.ident}: ranked {c.ranked[:3]}")
                for t in c.texts:
                    print(f"    > {t!r}")
        print("\n## class misses, training split only")
        for c in train:
            if c.gold is not None and not c.class_right:
                print(f"- {c.set_key} {c.ident}: said {c.cls} {c.candidates} ({c.confidence}), labelled {sorted(c.gold)}")
    for c in errors[:5]:
        print(f"run failed: {c.set_key} {c.ident if c.split == 'train' else '(test split)'}: {c.error[:200]}")
    print(f"\n({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
