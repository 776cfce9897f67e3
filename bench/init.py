#!/usr/bin/env python3
"""Held-out check of `plimsoll init`: real manifests the generators were not written against.

The tests' fixtures are small projects made for them (in-sample). This runs the generators on
real projects found on the machine, each copied into a temporary folder: the crates of Cargo's
registry cache (~/.cargo/registry/src), the package.json files of the npm install
(/usr/lib/node_modules) and the Python projects (pyproject.toml or requirements.txt) under
/usr/lib and ~/.pyenv. For each it counts the projects `plimsoll init` fails on, and those
whose generated files get a finding from `plimsoll check --fail-on note`, actionlint, hadolint
or kubernetes-validate (each peer only when installed). Nothing is written outside the
temporary folders.

Usage: bench/init.py [PLIMSOLL]   (default target/release/plimsoll)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PEERS = Path("/root/.cache/plimsoll-peers/bin")


def tool(name):
    """A peer's path, or None when it is not installed."""
    for candidate in (PEERS / name, Path.home() / ".local/bin" / name):
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


def rust_projects():
    for crate in sorted(Path.home().glob(".cargo/registry/src/*/*/")):
        if (crate / "Cargo.toml").is_file():
            yield "rust", crate, ["ci", "release", "kubernetes", "dependabot"]


def node_projects():
    for manifest in sorted(Path("/usr/lib/node_modules").rglob("package.json")):
        # Test fixtures inside packages are not packages.
        if "test" in manifest.parts or "fixtures" in manifest.parts:
            continue
        yield "node", manifest.parent, ["ci", "docker", "dependabot"]


def python_projects():
    folders = set()
    for base in (Path("/usr/lib"), Path.home() / ".pyenv"):
        for pattern in ("pyproject.toml", "requirements.txt"):
            folders.update(manifest.parent for manifest in base.rglob(pattern))
    for folder in sorted(folders):
        yield "python", folder, ["ci", "docker", "dependabot"]


# What of a project is copied: a Rust crate whole (the generators look at src/), the manifests
# and lock files of the others.
NODE_FILES = ["package.json", "package-lock.json", "pnpm-lock.yaml", "yarn.lock"]
PYTHON_FILES = ["pyproject.toml", "uv.lock", "poetry.lock", ".python-version", "main.py", "app.py"]


def copy_project(kind, source, target):
    if kind == "rust":
        shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        return
    names = NODE_FILES if kind == "node" else PYTHON_FILES
    if kind == "python":
        names = names + [p.name for p in source.glob("requirements*.txt")]
    for name in names:
        if (source / name).is_file():
            shutil.copy(source / name, target / name)
    if kind == "python" and (source / "tests").is_dir():
        (target / "tests").mkdir()


def run(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def main():
    plimsoll = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/plimsoll")
    actionlint, hadolint, validate = tool("actionlint"), tool("hadolint"), tool("kubernetes-validate")
    totals = {}
    failures = []
    projects = list(rust_projects()) + list(node_projects()) + list(python_projects())
    for kind, source, kinds in projects:
        row = totals.setdefault(
            kind,
            {"projects": 0, "blocked": 0, "init errors": 0, "projects generating": 0,
             "workflows": 0, "Dockerfiles": 0, "manifests": 0, "plimsoll": 0, "actionlint": 0,
             "hadolint": 0, "kubernetes-validate": 0},
        )
        row["projects"] += 1
        with tempfile.TemporaryDirectory() as temp:
            root = Path(temp)
            copy_project(kind, source, root)
            run(["git", "init", "-q"], root)
            # The project's own files (a crate's published workflows, say) are not replaced:
            # without --force such a run is blocked (exit 1) and writes nothing.
            result = run([plimsoll, "init", "--only", ",".join(kinds), "."], root)
            if result.returncode == 1 and "did not generate it" in result.stdout:
                row["blocked"] += 1
                continue
            if result.returncode != 0:
                row["init errors"] += 1
                failures.append((kind, source, "init", (result.stdout + result.stderr).strip()[:300]))
                continue
            generated = [line.split()[-1] for line in result.stdout.splitlines()
                         if line.startswith("create ")]
            if not generated:
                continue
            row["projects generating"] += 1
            row["workflows"] += sum(g.startswith(".github/workflows/") for g in generated)
            row["Dockerfiles"] += generated.count("Dockerfile")
            row["manifests"] += sum(g.startswith("deploy/kubernetes/") for g in generated)
            # Only the generated files are judged.
            check = run([plimsoll, "check", "--fail-on", "note", "--format", "json", *generated], root)
            findings = json.loads(check.stdout or "{}").get("findings", [])
            if findings:
                row["plimsoll"] += 1
                failures.append((kind, source, "plimsoll",
                                 "; ".join(f"{f['rule']['id']} {f['path']}" for f in findings)[:300]))
            workflows = [g for g in generated if g.startswith(".github/workflows/")]
            if actionlint and workflows:
                lint = run([actionlint, *workflows], root)
                if lint.returncode != 0:
                    row["actionlint"] += 1
                    failures.append((kind, source, "actionlint", lint.stdout.strip()[:300]))
            if hadolint and "Dockerfile" in generated:
                lint = run([hadolint, "Dockerfile"], root)
                if lint.returncode != 0:
                    row["hadolint"] += 1
                    failures.append((kind, source, "hadolint", lint.stdout.strip()[:300]))
            manifests = [g for g in generated if g.startswith("deploy/kubernetes/")]
            if validate and manifests:
                lint = run([validate, "--strict", "--quiet", "--no-warn", *manifests], root)
                if lint.returncode != 0:
                    row["kubernetes-validate"] += 1
                    failures.append((kind, source, "kubernetes-validate", lint.stdout.strip()[:300]))
    print("peers:", ", ".join(f"{n}={'yes' if p else 'absent'}" for n, p in
                              [("actionlint", actionlint), ("hadolint", hadolint),
                               ("kubernetes-validate", validate)]))
    columns = ["projects", "blocked", "init errors", "projects generating", "workflows",
               "Dockerfiles", "manifests", "plimsoll", "actionlint", "hadolint",
               "kubernetes-validate"]
    print("| kind | " + " | ".join(columns) + " |")
    print("|" + " --- |" * (len(columns) + 1))
    for kind, row in totals.items():
        print(f"| {kind} | " + " | ".join(str(row[c]) for c in columns) + " |")
    for kind, source, what, detail in failures:
        print(f"{kind} {source} [{what}] {detail}")


if __name__ == "__main__":
    main()
