#!/usr/bin/env python3
"""Which signatures carry to repositories that did not motivate them: signature ablation on the
TRAINING split of ../shared/ci-logs (never the test split: its logs are not even read).

Each training log with line labels (LogChunks, CiDiff, bugswarm-travis) is ranked with every
signature, then with each signature that matches one of its lines left out
(`examples/signature_ablation.rs`). A signature *helps* a log when leaving it out loses the top-1
hit, and *hurts* it when leaving it out wins one. Per signature: the repositories it helps and
hurts, and the commit that added it (`git log -S`).

The honest figure this gives: **leave-the-motivating-repository-out**. A signature that helps
only one repository was, in all likelihood, written from that repository's logs (the ablation
cannot tell who wrote it, but a rule no other repository needs is evidence of nothing else).
For a log of repository R, every signature whose help is confined to R is left out together,
and the log is ranked again: what plimsoll would pick had R not been read while writing its
signatures. That figure, per fold, sits beside the in-sample one.

Usage: bench/diagnose_folds.py [--shared ../shared] [--example target/release/examples/signature_ablation]
                               [--table-out FILE]
Build the example first: cargo build --release -p plimsoll-diagnose --example signature_ablation
"""

import argparse
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diagnose_eval as de  # noqa: E402


def training_cases(root):
    """(case, path, scorer) for each training-split log with line labels; scorer(ranked) ->
    (top-1 hit, top-3 hit). Test-split logs are skipped before they are opened."""
    import xml.etree.ElementTree as ET

    base = os.path.join(root, "logchunks")
    for xml in de.logchunks_repositories(base):
        for example in ET.parse(xml).getroot().iter("Example"):
            rel = example.findtext("Log")
            path = os.path.join(base, "logs", rel)
            language, repo = rel.split("/")[0], rel.split("/")[1]
            case = de.Case("logchunks", rel, repo, "travis", language)
            if case.split != "train" or not os.path.exists(path):
                continue
            ranges = de.locate_chunk(de.read_lines(path), example.findtext("Chunk") or "")
            if ranges:
                yield case, path, lambda r, ranges=ranges: scored(r, lambda l: de.inside(l, ranges))
    base = os.path.join(root, "cidiff")
    for name in sorted(os.listdir(base)):
        gt = os.path.join(base, name, "groundtruth")
        path = os.path.join(base, name, "fail.log")
        if not os.path.exists(gt) or not os.path.exists(path):
            continue
        case = de.Case("cidiff", name, name.rsplit("_", 1)[0], "", "Java")
        if case.split != "train":
            continue
        with open(gt) as f:
            ranges = de.cidiff_ranges(f.read().split("\n"))
        yield case, path, lambda r, ranges=ranges: scored(r, lambda l: de.inside(l, ranges))
    base = os.path.join(root, "bugswarm-travis")
    for row in de.read_jsonl(os.path.join(base, "labels.jsonl")):
        failed = row.get("failed_tests")
        path = os.path.join(base, row["file"])
        if not failed or not os.path.exists(path):
            continue
        lines = de.read_lines(path)
        repo = row.get("repo") or de.bugswarm_repo(lines, row["file"])
        case = de.Case("bugswarm", row["file"], repo, "travis", "")
        if case.split != "train":
            continue
        hits = de.bugswarm_hits(lines, failed)
        yield case, path, lambda r, hits=hits: scored(r, lambda l: l in hits)


def scored(ranked, good):
    return (bool(ranked) and good(ranked[0]), any(good(l) for l in ranked[:3]))


def repo_counts(counter):
    """`3 (2: repo 2, other 1)`: logs, repositories, the largest first."""
    if not counter:
        return "0"
    named = ", ".join(f"{key.split(':', 1)[1]} {n}" for key, n in counter.most_common(4))
    more = "…" if len(counter) > 4 else ""
    return f"{sum(counter.values())} ({len(counter)}: {named}{more})"


def run_example(example, stdin_lines, extra=()):
    proc = subprocess.run([example, *extra], input="\n".join(stdin_lines) + "\n",
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{example} failed: {proc.stderr[:500]}")
    return [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]


def origin_commits(ids):
    """The short hash and subject of the commit that added each signature id."""
    out = {}
    for sid in ids:
        proc = subprocess.run(
            ["git", "log", "--reverse", "--format=%h %ad %s", "--date=short", "-S", f'id = "{sid}"',
             "--", "crates/plimsoll-diagnose/signatures.toml"],
            capture_output=True, text=True)
        first = proc.stdout.splitlines()[:1]
        out[sid] = first[0] if first else "?"
    return out


def strict_folds(example, cases, by_path, effect, ablated, confined, loo, rounds=3):
    """The leave-the-motivating-repository-out figure with stand-ins left out too.

    Single-signature ablation calls a signature confined to repository R when leaving it out
    alone loses one of R's logs. Two signatures that each win R's log alone (a language's own
    error signature and a generic rule that covers its lines) each look unneeded, so neither is
    left out and R keeps the help. Here, per repository, the signatures that win no other
    repository's log in the single ablation and match R's logs (its candidates) are left out
    together with the confined ones; for each of R's logs that this loses, every candidate that
    wins it back on its own joins R's left-out set. Repeated until nothing changes. Returns the
    per-log (top-1, top-3) and the sets."""
    wins_elsewhere = {sid: set(helps) for sid, (helps, _, _) in effect.items()}
    by_repo = collections.defaultdict(list)
    for case, path, _ in cases:
        by_repo[f"{case.set_key}:{case.repo}"].append(path)
    sets = {key: set(confined.get(key, set())) for key in by_repo}
    current = dict(loo)
    for _ in range(rounds):
        # 1. Leave every candidate out at once: which of each repository's hits does that lose?
        requests, meta, pools = [], [], {}
        for key, paths in by_repo.items():
            hits = [p for p in paths if current[p][0]]
            pool = {sid for sid, results in ablated.items()
                    if any(p in results for p in hits)
                    and wins_elsewhere.get(sid, set()) <= {key}} - sets[key]
            if not pool:
                continue
            pools[key] = pool
            for path in hits:
                requests.append(f"{path}\t{','.join(sorted(sets[key] | pool))}")
                meta.append((key, path))
        lost = [(key, path) for (key, path), row in
                zip(meta, run_example(example, requests, ["--sets"]))
                if not by_path[path][1](row["ranked"])[0]]
        if not lost:
            break
        # 2. For each lost log, the candidates that win it back alone are stand-ins.
        requests, meta = [], []
        for key, path in lost:
            for sid in sorted(pools[key]):
                if path in ablated[sid]:
                    requests.append(f"{path}\t{','.join(sorted(sets[key] | (pools[key] - {sid})))}")
                    meta.append((key, sid, path))
        added = collections.defaultdict(set)
        for (key, sid, path), row in zip(meta, run_example(example, requests, ["--sets"])):
            if by_path[path][1](row["ranked"])[0]:
                added[key].add(sid)
        if not added:
            break
        requests = []
        for key, sids in added.items():
            sets[key] |= sids
            requests += [f"{p}\t{','.join(sorted(sets[key]))}" for p in by_repo[key]]
        for row in run_example(example, requests, ["--sets"]):
            current[row["path"]] = by_path[row["path"]][1](row["ranked"])
    return current, sets


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--example", default="target/release/examples/signature_ablation")
    parser.add_argument("--misses", action="store_true",
                        help="list the training logs whose top-1 is lost with their repository's "
                             "confined signatures left out (line picked vs labelled lines)")
    parser.add_argument("--strict", action="store_true",
                        help="also leave out, per repository, the signatures that stand in for its "
                             "confined ones (they win none of another repository's logs, but win "
                             "one of its own once the confined ones are out): single-signature "
                             "ablation cannot see two signatures that each make the other redundant")
    args = parser.parse_args()
    root = os.path.join(args.shared, "ci-logs")
    if not os.path.isdir(root):
        print(f"skipped: {root} absent")
        return 0
    cases = list(training_cases(root))
    by_path = {path: (case, score) for case, path, score in cases}
    rows = run_example(args.example, [path for _, path, _ in cases])
    full = {}
    ablated = collections.defaultdict(dict)  # signature -> path -> (hit1, hit3)
    for row in rows:
        _, score = by_path[row["path"]]
        if row["without"] is None:
            full[row["path"]] = score(row["ranked"])
        else:
            ablated[row["without"]][row["path"]] = score(row["ranked"])

    # Per signature: the repositories whose top-1 it wins (helps) and loses (hurts).
    effect = {}
    for sid, results in ablated.items():
        helps, hurts = collections.Counter(), collections.Counter()
        for path, (hit1, _) in results.items():
            case, _ = by_path[path]
            key = f"{case.set_key}:{case.repo}"
            if full[path][0] and not hit1:
                helps[key] += 1
            elif hit1 and not full[path][0]:
                hurts[key] += 1
        if helps or hurts:
            effect[sid] = (helps, hurts, len(results))
    origins = origin_commits(effect)

    print(f"Signature ablation on the training split: {len(cases)} logs, "
          f"{len(ablated)} signatures matching at least one of their lines.\n")
    print("| signature | logs it matches | top-1 it wins (repositories) | top-1 it loses (repositories) | added in |")
    print("|---|---:|---|---|---|")
    for sid, (helps, hurts, n) in sorted(effect.items(), key=lambda kv: -sum(kv[1][0].values()) + sum(kv[1][1].values())):
        print(f"| `{sid}` | {n} | {repo_counts(helps)} | {repo_counts(hurts)} | {origins[sid]} |")

    # Leave the motivating repository out: for each log of repository R, drop together every
    # signature whose wins are all in R (and that wins at least one there).
    confined = collections.defaultdict(set)
    for sid, (helps, _, _) in effect.items():
        if len(helps) == 1:
            confined[next(iter(helps))].add(sid)
    requests, keyed = [], {}
    for case, path, _ in cases:
        key = f"{case.set_key}:{case.repo}"
        if confined.get(key):
            requests.append(f"{path}\t{','.join(sorted(confined[key]))}")
    loo = dict(full)
    loo_ranked = {}
    for row in run_example(args.example, requests, ["--sets"]):
        _, score = by_path[row["path"]]
        loo[row["path"]] = score(row["ranked"])
        loo_ranked[row["path"]] = row["ranked"]

    strict_loo, strict_sets = dict(loo), {}
    if args.strict:
        strict_loo, strict_sets = strict_folds(args.example, cases, by_path, effect, ablated,
                                               confined, loo)

    print("\nLeave the motivating repository out (signatures whose wins are confined to a log's own "
          "repository left out for that log), per set and repository fold:\n")
    strict_head = " strict (redundant partners left out too) |" if args.strict else ""
    print(f"| set | fold | logs | in-sample top-1 / top-3 | motivating repository left out |{strict_head}")
    print("|---|---|---:|---|---|" + ("---|" if args.strict else ""))
    for set_key in ("logchunks", "cidiff", "bugswarm"):
        members = [(c, p) for c, p, _ in cases if c.set_key == set_key]
        if not members:
            continue
        for fold in list(range(de.FOLDS)) + ["all"]:
            part = [(c, p) for c, p in members if fold == "all" or c.fold == fold]
            if not part:
                continue
            n = len(part)
            a1 = sum(full[p][0] for _, p in part)
            a3 = sum(full[p][1] for _, p in part)
            b1 = sum(loo[p][0] for _, p in part)
            b3 = sum(loo[p][1] for _, p in part)
            label = "**all**" if fold == "all" else str(fold)
            strict = ""
            if args.strict:
                c1 = sum(strict_loo[p][0] for _, p in part)
                c3 = sum(strict_loo[p][1] for _, p in part)
                strict = f" {100 * c1 / n:.1f}% / {100 * c3 / n:.1f}% |"
            print(f"| {set_key} | {label} | {n} | {100 * a1 / n:.1f}% / {100 * a3 / n:.1f}% "
                  f"| {100 * b1 / n:.1f}% / {100 * b3 / n:.1f}% |{strict}")
    print("\nRepository-confined signatures per repository (what the right-hand column leaves out):")
    for key, sids in sorted(confined.items(), key=lambda kv: -len(kv[1])):
        print(f"- {key}: {', '.join(sorted(sids))}")
    if args.strict:
        print("\nStrict: signatures left out besides the confined ones, per repository (each wins "
              "no other repository's log, and wins one of this repository's once its confined "
              "signatures are out: a redundant partner of a confined signature):")
        for key, sids in sorted(strict_sets.items()):
            extra = sorted(sids - confined.get(key, set()))
            if extra:
                print(f"- {key}: {', '.join(extra)}")
    if args.misses:
        print("\nTraining logs missed with their repository's confined signatures left out:")
        for case, path, _ in cases:
            if path in loo_ranked and not loo[path][0]:
                lines = de.read_lines(path)
                picked = loo_ranked[path][0] if loo_ranked[path] else None
                text = de.norm(lines[picked - 1])[:140] if picked and picked <= len(lines) else "-"
                print(f"- {case.set_key}:{case.repo} {os.path.basename(path)} picked {picked}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
