#!/usr/bin/env python3
"""Differential test of plimsoll's YAML reader against ruamel.yaml (pure Python, YAML 1.2).

Every `.yml`/`.yaml` file under the corpus (default `../shared/corpus/real`) is read by both;
files where they disagree on validity are listed with each side's message, then a summary.
Duplicate keys are allowed on the ruamel side, as plimsoll reads them (and reports them through
rules, not as syntax errors).

    pip install ruamel.yaml
    python3 bench/yaml_differential.py [CORPUS] [--list-agreeing-errors]

Exit status 0 whatever the result: this measures, it does not gate.
"""

import os
import subprocess
import sys
import time

try:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
except ImportError:
    print("skipped: ruamel.yaml is not installed (pip install ruamel.yaml)")
    sys.exit(0)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def yaml_files(corpus):
    for folder, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".yml", ".yaml")):
                yield os.path.join(folder, name)


def plimsoll_verdicts(paths):
    subprocess.run(
        ["cargo", "build", "-q", "--release", "-p", "plimsoll-syntax", "--example", "yaml_verdicts"],
        cwd=ROOT,
        check=True,
    )
    binary = os.path.join(ROOT, "target", "release", "examples", "yaml_verdicts")
    out = subprocess.run(
        [binary], input="\n".join(paths) + "\n", capture_output=True, text=True, check=True
    ).stdout
    verdicts = {}
    for line in out.splitlines():
        path, verdict, *rest = line.split("\t")
        verdicts[path] = (verdict, " ".join(rest))
    return verdicts


def ruamel_verdict(loader, path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ("skip", "")
    if "\0" in text:
        return ("skip", "")
    try:
        documents = list(loader.load_all(text))
        return ("ok", str(len(documents)))
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "?"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        return ("error", f"{where} {problem}")
    except Exception as err:  # ruamel raises a few non-YAMLError exceptions on odd input
        return ("error", f"? {type(err).__name__}: {err}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    corpus = args[0] if args else os.path.join(ROOT, "..", "shared", "corpus", "real")
    if not os.path.isdir(corpus):
        print(f"skipped: no corpus at {corpus}")
        return
    paths = list(yaml_files(corpus))
    started = time.time()
    ours = plimsoll_verdicts(paths)
    loader = YAML(typ="safe", pure=True)
    loader.allow_duplicate_keys = True
    theirs = {path: ruamel_verdict(loader, path) for path in paths}
    compared = 0
    both_ok = both_error = 0
    only_ours = []
    only_theirs = []
    for path in paths:
        a, b = ours.get(path, ("skip", "")), theirs[path]
        if "skip" in (a[0], b[0]):
            continue
        compared += 1
        if a[0] == b[0] == "ok":
            both_ok += 1
        elif a[0] == b[0] == "error":
            both_error += 1
            if "--list-agreeing-errors" in sys.argv:
                print(f"both refuse  {os.path.relpath(path, corpus)}\n  plimsoll: {a[1]}\n  ruamel:   {b[1]}")
        elif a[0] == "error":
            only_ours.append((path, a[1], b[1]))
        else:
            only_theirs.append((path, a[1], b[1]))
    for path, mine, other in only_ours:
        print(f"plimsoll refuses, ruamel accepts  {os.path.relpath(path, corpus)}\n  plimsoll: {mine}")
    for path, mine, other in only_theirs:
        print(f"ruamel refuses, plimsoll accepts  {os.path.relpath(path, corpus)}\n  ruamel: {other}")
    agree = both_ok + both_error
    print(
        f"\n{compared} YAML files compared in {time.time() - started:.0f} s: {agree} agree "
        f"({both_ok} valid, {both_error} invalid for both), {len(only_ours)} refused by plimsoll "
        f"only, {len(only_theirs)} refused by ruamel.yaml only"
    )


if __name__ == "__main__":
    main()
