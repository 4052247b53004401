"""Searching while an ingest writes, and two ingests started together.

    python bench/concurrency_test.py [--workdir DIR] [--files 1500] [--first 300] [--jobs 2] [--seed 11]

1. Readers during a write. The first ``--first`` files are ingested; then the
   whole corpus is ingested while readers search without pause:
   ``archive search MARKER --format json`` in a loop (one process per query,
   as a user or a script would), two threads sharing one in-process
   ``WhooshEngine`` opened before the ingest (as the web server does), and
   ``/api/search?q=MARKER`` over HTTP from an ``archive serve`` started
   before the ingest. A marker
   of a file indexed before the ingest must always find exactly that file; a
   marker of a new file may find nothing until its batch is committed, then
   exactly that file, and once found must stay found. Errors and latencies are
   compared with the same searches on an idle index.
2. Two ingests started together on a fresh index: one must finish (exit 0),
   the other stop at once with "being written by" (exit 1); then both again
   with ``--wait``: both exit 0 and the second finds everything unchanged.
   Two ingests of different folders with ``--wait``: both indexed.
   After each, every file is indexed exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crash_test import check_index, write_corpus  # noqa: E402
from hostile_files import archive_command  # noqa: E402


@dataclass
class Probe:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.latencies:
            return f"{self.name}: no searches"
        ms = sorted(x * 1000 for x in self.latencies)
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        return (f"{self.name}: {len(ms)} searches, {len(self.errors)} errors, latency median {statistics.median(ms):.0f} ms, "
                f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms")


def ingest_command(paths: list[Path], index: Path, jobs: int, wait: float = 0.0) -> list[str]:
    return [archive_command(), "ingest", *map(str, paths), "--index", str(index), "--jobs", str(jobs), "--wait", str(wait)]


def cli_search(marker: str, index: Path) -> tuple[float, list[str] | str]:
    started = time.monotonic()
    proc = subprocess.run([archive_command(), "search", marker, "--index", str(index), "--format", "json"], capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    if proc.returncode != 0:
        return took, f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}"
    return took, [h["path"] for h in json.loads(proc.stdout)["hits"]]


class WebServer:
    """``archive serve`` on a free local port, for searches over HTTP."""

    def __init__(self, index: Path, start_timeout: float = 180):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([archive_command(), "serve", "--index", str(index), "--port", str(port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + start_timeout  # a loaded machine takes its time to import everything
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"archive serve exited {self.proc.returncode}: {self.proc.stderr.read()[-300:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/search?q=", timeout=10):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(f"archive serve did not answer within {start_timeout:.0f} s")
                time.sleep(0.5)

    def search(self, marker: str) -> tuple[float, list[str] | str]:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"{self.url}/api/search?{urllib.parse.urlencode({'q': marker})}", timeout=120) as resp:
                got = [h["path"] for h in json.loads(resp.read())["hits"]]
        except Exception as exc:  # any failure to answer is a finding here
            got = f"{type(exc).__name__}: {exc}"
        return time.monotonic() - started, got

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def readers(index: Path, old: dict[str, str], new: dict[str, str], stop: threading.Event, label: str, seed: int,
            web: WebServer | None = None) -> list[Probe]:
    """CLI, in-process and HTTP searches until ``stop`` is set; wrong answers count as errors."""
    from indexer.whoosh.engine import WhooshEngine
    from indexer.contract import SearchRequest

    engine = WhooshEngine(index)
    # New files seen so far, per searcher: the web server refreshes on its own clock, so it
    # may rightly miss for a second a file the in-process engine already finds.
    found_new: dict[str, set[str]] = {"engine": set(), "web": set()}
    lock = threading.Lock()
    probes = [Probe(f"CLI {label}"), Probe(f"engine {label}, thread 1"), Probe(f"engine {label}, thread 2")]
    if web:
        probes.append(Probe(f"web API {label}"))
    old_items, new_items = sorted(old.items()), sorted(new.items())

    def judge(probe: Probe, path: str, is_old: bool, got, source: str = "engine") -> None:
        if isinstance(got, str):
            probe.errors.append(got)
        elif is_old and got != [path]:
            probe.errors.append(f"indexed file {path} found as {got}")
        elif not is_old:
            with lock:
                if got == [path]:
                    found_new[source].add(path)
                elif got or path in found_new[source]:
                    probe.errors.append(f"new file {path} found as {got} (seen before: {path in found_new[source]})")

    def cli_loop(probe: Probe, rng: random.Random) -> None:
        while not stop.is_set():
            path, marker = rng.choice(old_items)
            took, got = cli_search(marker, index)
            probe.latencies.append(took)
            judge(probe, path, True, got)

    def web_loop(probe: Probe, rng: random.Random) -> None:
        while not stop.is_set():
            is_old = rng.random() < 0.5 or not new_items
            path, marker = rng.choice(old_items if is_old else new_items)
            took, got = web.search(marker)
            probe.latencies.append(took)
            judge(probe, path, is_old, got, "web")

    def engine_loop(probe: Probe, rng: random.Random) -> None:
        while not stop.is_set():
            is_old = rng.random() < 0.5 or not new_items
            path, marker = rng.choice(old_items if is_old else new_items)
            started = time.monotonic()
            try:
                got = [h.path for h in engine.search(SearchRequest(marker, include_internal=True)).hits]
            except Exception as exc:  # any exception is a finding here
                got = f"{type(exc).__name__}: {exc}"
            probe.latencies.append(time.monotonic() - started)
            judge(probe, path, is_old, got)
            time.sleep(0.005)

    threads = [threading.Thread(target=cli_loop, args=(probes[0], random.Random(seed)))]
    threads += [threading.Thread(target=engine_loop, args=(p, random.Random(seed + i))) for i, p in enumerate(probes[1:3], 1)]
    if web:
        threads.append(threading.Thread(target=web_loop, args=(probes[3], random.Random(seed + 3))))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.refresh()
    missing = [p for p, m in new.items() if [h.path for h in engine.search(SearchRequest(m, include_internal=True)).hits] != [p]]
    if missing and new and label == "during ingest":
        probes[1].errors.append(f"after the ingest, the long-lived engine misses {len(missing)} new files, e.g. {missing[:2]}")
    engine.close()
    if web and new and label == "during ingest":
        time.sleep(2)  # the server checks for a new index generation once a second
        sample = random.Random(seed).sample(new_items, min(100, len(new_items)))
        missing = [p for p, m in sample if web.search(m)[1] != [p]]
        if missing:
            probes[3].errors.append(f"after the ingest, the web server misses {len(missing)} of {len(sample)} new files, e.g. {missing[:2]}")
    return probes


def readers_during_ingest(args, corpus: Path, markers: dict[str, str]) -> list[str]:
    index = args.workdir / "index-readers"
    first = corpus / "part00"
    old = {p: m for p, m in markers.items() if p.startswith(str(first.resolve()) + os.sep)}
    new = {p: m for p, m in markers.items() if p not in old}
    proc = subprocess.run(ingest_command([first], index, args.jobs), capture_output=True, text=True)
    if proc.returncode != 0:
        return [f"first ingest failed: {proc.stderr[-300:]}"]
    web = WebServer(index)
    try:
        stop = threading.Event()
        timer = threading.Timer(args.idle_seconds, stop.set)
        timer.start()
        idle = readers(index, old, {}, stop, "idle", args.seed, web)
        stop = threading.Event()
        ingest = subprocess.Popen(ingest_command([corpus], index, args.jobs), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        result: dict = {}

        def wait_ingest():
            result["out"], result["err"] = ingest.communicate()
            result["rc"] = ingest.returncode
            stop.set()

        waiter = threading.Thread(target=wait_ingest)
        waiter.start()
        started = time.monotonic()
        busy = readers(index, old, new, stop, "during ingest", args.seed + 10, web)
        waiter.join()
    finally:
        web.close()
    print(f"\n1. readers while `archive ingest` adds {len(new)} files to {len(old)} ({time.monotonic() - started:.1f} s, exit {result['rc']}):")
    problems = []
    for probe in idle + busy:
        print("   " + probe.summary())
        problems += [f"{probe.name}: {e}" for e in probe.errors[:5]]
    if result["rc"] != 0:
        problems.append(f"the ingest exited {result['rc']}: {result['err'][-300:]}")
    problems += check_index(index, markers, complete=True, cli_sample=[])
    return problems


def start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def two_writers(args, corpus: Path, markers: dict[str, str]) -> list[str]:
    problems = []
    print("\n2. two ingests started together:")
    index = args.workdir / "index-two"
    shutil.rmtree(index, ignore_errors=True)
    a, b = start(ingest_command([corpus], index, args.jobs)), start(ingest_command([corpus], index, args.jobs))
    (out_a, err_a), (out_b, err_b) = a.communicate(), b.communicate()
    codes = sorted([(a.returncode, err_a), (b.returncode, err_b)], key=lambda x: x[0])
    refused = codes[1][1].strip().splitlines()[-1] if codes[1][1].strip() else ""
    print(f"   without --wait: exit codes {a.returncode} and {b.returncode}; the refused one says: {refused!r}")
    if [c for c, _ in codes] != [0, 1] or "being written by" not in refused:
        problems.append(f"two ingests without --wait: exits {a.returncode}/{b.returncode}, message {refused!r}")
    problems += check_index(index, markers, complete=True, cli_sample=[])

    shutil.rmtree(index, ignore_errors=True)
    a, b = start(ingest_command([corpus], index, args.jobs, wait=600)), start(ingest_command([corpus], index, args.jobs, wait=600))
    outs = [p.communicate()[0] for p in (a, b)]
    lines = [next((line.split(";")[0] for line in o.splitlines() if " added, " in line), "?") for o in outs]
    print(f"   with --wait 600: exit codes {a.returncode} and {b.returncode}; summaries: {lines}")
    if (a.returncode, b.returncode) != (0, 0) or not any(f"0 added, 0 updated, {len(markers)} unchanged" in line for line in lines):
        problems.append(f"two ingests with --wait: exits {a.returncode}/{b.returncode}, summaries {lines}")
    problems += check_index(index, markers, complete=True, cli_sample=[])

    shutil.rmtree(index, ignore_errors=True)
    halves = sorted(p for p in corpus.iterdir() if p.is_dir())
    a = start(ingest_command(halves[: len(halves) // 2], index, args.jobs, wait=600))
    b = start(ingest_command(halves[len(halves) // 2:], index, args.jobs, wait=600))
    outs = [p.communicate()[0] for p in (a, b)]
    lines = [next((line.split(";")[0] for line in o.splitlines() if " added, " in line), "?") for o in outs]
    print(f"   two folders with --wait 600: exit codes {a.returncode} and {b.returncode}; summaries: {lines}")
    if (a.returncode, b.returncode) != (0, 0):
        problems.append(f"two ingests of different folders: exits {a.returncode}/{b.returncode}")
    problems += check_index(index, markers, complete=True, cli_sample=[])
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/archive-concurrency-test"))
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--idle-seconds", type=float, default=10, help="How long to measure searches on the idle index.")
    args = parser.parse_args(argv)
    shutil.rmtree(args.workdir, ignore_errors=True)
    corpus = args.workdir / "corpus"
    markers = write_corpus(corpus, args.files, args.seed)
    print(f"corpus: {len(markers)} files in {corpus} (the first folder holds {sum(1 for p in markers if '/part00/' in p)})")
    problems = readers_during_ingest(args, corpus, markers)
    problems += two_writers(args, corpus, markers)
    print(f"\n{len(problems)} problems")
    for problem in problems:
        print("  - " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
