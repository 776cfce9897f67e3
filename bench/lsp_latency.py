#!/usr/bin/env python3
"""Time from `textDocument/didChange` to the `publishDiagnostics` it causes, as an editor sees it.

Spawns `plimsoll lsp`, opens a generated GitHub Actions workflow of about 2,000 lines (jobs of
checkout, cache, build and test steps, with a finding in every job), then sends one-character
edits (alternately typing and deleting a character in a step's `run:`) one at a time, each
waiting for the diagnostics of its version. Prints the median, 95th percentile and maximum.
With `--file`, a real workflow is opened instead (as `.github/workflows/<its name>` of a
temporary workspace; the file is only read) and the edits are made at the end of its first line.

    python3 bench/lsp_latency.py [--binary target/release/plimsoll] [--lines 2000] [--edits 200]
    python3 bench/lsp_latency.py --file ../shared/corpus/real/tokio-rs__tokio/.github/workflows/ci.yml
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def workflow(lines):
    head = [
        "name: big",
        "on:",
        "  push:",
        "  pull_request:",
        "permissions:",
        "  contents: read",
        "jobs:",
    ]
    body = []
    job = 0
    while len(head) + len(body) < lines:
        body += [
            f"  job{job}:",
            "    runs-on: ubuntu-latest",
            "    timeout-minutes: 10",
            "    steps:",
            "      - uses: actions/checkout@v4",
            "        with:",
            "          persist-credentials: false",
            "      - uses: actions/cache@v4",
            "        with:",
            "          path: ~/.cargo",
            f"          key: cargo-{job}-${{{{ hashFiles('Cargo.lock') }}}}",
            "      - name: build 🚀 構築",
            "        run: cargo build --locked",
            "      - name: test",
            "        run: cargo test --locked",
            # A finding in every job: a failure that does not fail the job.
            "      - run: make lint",
            "        continue-on-error: true",
        ]
        job += 1
    return "\n".join(head + body) + "\n"


class Client:
    def __init__(self, binary, root):
        self.process = subprocess.Popen(
            [binary, "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=root,
        )
        self.next_id = 0

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def read(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def wait_for(self, predicate):
        while True:
            message = self.read()
            if predicate(message):
                return message


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/plimsoll")
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--file", help="a real workflow to open instead of the generated one")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    with tempfile.TemporaryDirectory() as root:
        folder = os.path.join(root, ".github", "workflows")
        os.makedirs(folder)
        if args.file:
            with open(args.file, encoding="utf-8") as real:
                text = real.read()
            path = os.path.join(folder, os.path.basename(args.file))
        else:
            text = workflow(args.lines)
            path = os.path.join(folder, "big.yml")
        uri = "file://" + path
        client = Client(binary, root)
        client.request(
            "initialize",
            {"processId": None, "rootUri": "file://" + root, "capabilities": {}},
        )
        client.wait_for(lambda m: m.get("id") == 1)
        client.notify("initialized", {})
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        first = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        found = len(first["params"]["diagnostics"])
        # Edit the `run:` of the first job's build step (`cargo build --locked` and back), or
        # the end of a real file's first line.
        lines = text.split("\n")
        line = 0 if args.file else next(
            i for i, l in enumerate(lines) if l.endswith("run: cargo build --locked")
        )
        end = len(lines[line].encode("utf-16-le")) // 2
        times = []
        for version in range(2, args.edits + 2):
            if version % 2 == 0:
                change = {"range": {"start": {"line": line, "character": end},
                                    "end": {"line": line, "character": end}}, "text": "x"}
            else:
                change = {"range": {"start": {"line": line, "character": end},
                                    "end": {"line": line, "character": end + 1}}, "text": ""}
            start = time.perf_counter()
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            client.wait_for(
                lambda m: m.get("method") == "textDocument/publishDiagnostics"
                and m["params"].get("version") == version
            )
            times.append((time.perf_counter() - start) * 1000)
        client.request("shutdown", None)
        client.wait_for(lambda m: "id" in m and "method" not in m)
        client.notify("exit", None)
        client.process.wait(timeout=10)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{len(text.splitlines())} lines, {found} diagnostics, {len(times)} edits: "
        f"didChange -> publishDiagnostics median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
