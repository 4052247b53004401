"""Kill ``archive ingest`` with SIGKILL at random moments and check that the index survives.

    python bench/crash_test.py [--workdir DIR] [--files 1500] [--kills 20] [--seed 7] [--jobs 2]
                               [--batch-files N] [--main-only]

A corpus of small text, Markdown and HTML files (each with its own marker word)
is ingested once to time a full run; then, round after round, an ingest into a
fresh index is killed (the whole process group: the ingest and its extraction
workers) at a random moment, checked, resumed, killed again, checked, and
finally resumed to completion and checked again. Kill moments come from a fixed
seed; each is drawn over the expected length of the run, so kills land in
start-up, extraction, batch commits and the final commit alike.

After every kill:

* ``archive search "" --format json`` answers (exit 0), or says clearly that
  there is no index yet; paging through everything gives unique ids;
* no passage is stored twice (per document, the passages found equal the
  count stored with them) and every marker finds at most one document;
* every file the manifest records as indexed is in the index (otherwise the
  next run would skip it for good);
* the lock left by the dead writer does not stop the next ingest.

After each completing run: exit 0, every file indexed exactly once.

``archive ingest`` commits every 500 files and has no option or variable for
another size; ``--batch-files N`` runs the same sync through a small Python
driver with ``SyncOptions(batch_files=N)`` instead, for more commits per run.
``--main-only`` adds one last scenario: only the main process is killed (as
the kernel's out-of-memory killer would), leaving its workers behind.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hostile_files import Marker, archive_command, html_text, markdown_bytes, text_bytes  # noqa: E402

DRIVER = """
import sys
from pathlib import Path
from indexer.whoosh import index as whoosh_index
from indexer.sync import SyncOptions, sync
from search.cli import print_report
report = sync([Path(sys.argv[1])], Path(sys.argv[2]), SyncOptions(jobs=int(sys.argv[3]), batch_files=int(sys.argv[4])))
print_report(report, Path(sys.argv[2]))
sys.exit(1 if report.failed else 0)
"""


def write_corpus(folder: Path, count: int, seed: int, per_folder: int = 250) -> dict[str, str]:
    """``count`` small files in three formats and languages, ``per_folder`` to a sub-folder; returns path -> marker."""
    rng = random.Random(seed)
    marker = Marker(rng)
    markers = {}
    for i in range(count):
        lang = ("fr", "nl", "en")[i % 3]
        m = marker()
        sub = folder / f"part{i // per_folder:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        kind = i % 10
        if kind < 6:
            path, data = sub / f"doc{i:05d}.txt", text_bytes(lang, m, i)
        elif kind < 9:
            path, data = sub / f"doc{i:05d}.md", markdown_bytes(lang, m, i)
        else:
            path, data = sub / f"doc{i:05d}.html", html_text(lang, m, i).encode()
        path.write_bytes(data)
        markers[str(path.resolve())] = m
    return markers


@dataclass
class Run:
    rc: int | None
    seconds: float
    out: str
    err: str
    killed: bool = False
    phase: str = ""


@dataclass
class Figures:
    kills: int = 0
    finished_first: int = 0  # the run ended before the kill moment came
    phases: Counter = field(default_factory=Counter)
    checks_ok: int = 0
    recoveries_ok: int = 0
    problems: list[str] = field(default_factory=list)
    recovery_seconds: list[float] = field(default_factory=list)


def cache_entries(index: Path) -> int:
    """Files extracted so far: the ingest caches each result under the index as it arrives."""
    root = index / "extract-cache"
    total = 0
    try:
        subdirs = os.listdir(root)
    except OSError:
        return 0
    for sub in subdirs:
        try:
            total += sum(1 for name in os.listdir(root / sub) if name.endswith(".json"))
        except OSError:
            pass
    return total


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Ingest:
    """One ingest in its own process group. ``archive ingest`` shows no progress when its
    output is not a terminal, so the phase at a kill is read from the index folder instead."""

    def __init__(self, corpus: Path, index: Path, jobs: int, batch_files: int | None, total: int = 0):
        if batch_files:
            command = [sys.executable, "-c", DRIVER, str(corpus), str(index), str(jobs), str(batch_files)]
        else:
            command = [archive_command(), "ingest", str(corpus), "--index", str(index), "--jobs", str(jobs)]
        self.index = index
        self.batch = batch_files or 500
        self.cached_start = cache_entries(index)
        self.committed_start = len(manifest_files(index))
        self.total = total  # files in the corpus, to tell the final commit from what follows it
        self.started = time.monotonic()
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)

    def phase(self) -> str:
        """Where the run is now: start-up, extracting batch k, committing batch k, or the final commit."""
        workers = len(children(self.proc.pid))
        # Files extracted before but not committed come back from the cache first, at once.
        done = cache_entries(self.index) - self.cached_start + max(0, self.cached_start - self.committed_start)
        committed = len(manifest_files(self.index)) - self.committed_start
        if not workers:
            if committed == 0 and cache_entries(self.index) == self.cached_start:
                return "start-up"
            if self.total and self.committed_start + committed >= self.total:
                return "exiting after the final commit"
            # Before the workers start, results cached by an earlier, killed run are replayed.
            return "final commit" if done >= self.total - self.committed_start else "replaying cached results"
        if committed < (done // self.batch) * self.batch:
            return f"commit of batch {done // self.batch}"
        return f"extracting batch {done // self.batch + 1}"

    def finish(self, kill_at: float | None, limit: float = 600) -> Run:
        where = ""
        try:
            out, err = self.proc.communicate(timeout=kill_at if kill_at is not None else limit)
        except subprocess.TimeoutExpired:
            where = self.phase() if kill_at is not None else "over the time limit"
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, err = self.proc.communicate()
        return Run(self.proc.returncode, time.monotonic() - self.started, out.decode(errors="replace"), err.decode(errors="replace"),
                   killed=bool(where) and kill_at is not None, phase=where)


def manifest_files(index: Path) -> dict:
    from indexer.store import read_manifest

    return read_manifest(index)


def cli_listing(index: Path) -> tuple[str | None, list[dict]]:
    """Every document through ``archive search "" --format json``, page after page."""
    hits: list[dict] = []
    for page in range(1, 100):
        proc = subprocess.run([archive_command(), "search", "", "--index", str(index), "--format", "json", "--limit", "1000", "--page", str(page)],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            if "no index at" in proc.stderr and not hits:
                return "no index yet", []
            return f"`archive search` exit {proc.returncode}: {proc.stderr.strip()[-300:]}", hits
        data = json.loads(proc.stdout)
        hits += data["hits"]
        if len(hits) >= data["total"] or not data["hits"]:
            if len(hits) != data["total"]:
                return f"listing gave {len(hits)} hits for a total of {data['total']}", hits
            return None, hits
    return "listing did not end", hits


def check_index(index: Path, markers: dict[str, str], complete: bool, cli_sample: list[str]) -> list[str]:
    """Problems found in the index as a reader sees it (an empty list when all is well)."""
    from indexer import engines, store
    from indexer.whoosh import index as whoosh_index
    from indexer.whoosh.engine import WhooshEngine
    from indexer.errors import QueryError
    from indexer.contract import SearchRequest

    problems = []
    status, hits = cli_listing(index)
    if status == "no index yet":
        return ["no index after a complete run"] if complete else []
    if status:
        problems.append(status)
    ids = Counter(h["id"] for h in hits)
    if any(n > 1 for n in ids.values()):
        problems.append(f"{sum(n > 1 for n in ids.values())} document ids listed twice")
    try:
        ix = whoosh_index.open_index(index)
        with ix.searcher() as searcher:
            fields = list(searcher.all_stored_fields())
    except Exception as exc:  # any failure to read is the finding
        return problems + [f"cannot read the index: {type(exc).__name__}: {exc}"]
    passages = Counter(f["doc_id"] for f in fields)
    stored = {f["doc_id"]: f.get("n_passages", 1) for f in fields}
    pids = Counter(f["pid"] for f in fields)
    doubled = [d for d, n in passages.items() if n > stored[d]]
    if doubled or any(n > 1 for n in pids.values()):
        problems.append(f"{len(doubled)} documents have their passages stored twice (e.g. {sorted(doubled)[:2]}), "
                        f"{sum(n > 1 for n in pids.values())} passage ids repeated")
    indexed_paths = {f["path"] for f in fields}
    lost = [p for p, entry in manifest_files(index).items() if not entry.get("error") and p not in indexed_paths]
    if lost:
        problems.append(f"{len(lost)} files in the manifest are missing from the index (never re-added): {lost[:2]}")
    if set(h["path"] for h in hits) != indexed_paths and not status:
        problems.append("the CLI listing and the stored passages disagree on which files are indexed")
    wrong = []
    try:
        engine = WhooshEngine(index)
        for path, marker in markers.items():
            found = [h.path for h in engine.search(SearchRequest(marker, include_internal=True, facets=False)).hits]
            expected = [path] if (complete or path in indexed_paths) else []
            if found != expected:
                wrong.append(f"marker {marker} of {path} finds {found}, expected {expected}")
        engine.close()
    except (QueryError, Exception) as exc:
        problems.append(f"in-process search failed: {type(exc).__name__}: {exc}")
    if wrong:
        problems.append(f"{len(wrong)} markers find the wrong documents, e.g. {wrong[0]}")
    for marker in cli_sample:
        proc = subprocess.run([archive_command(), "search", marker, "--index", str(index), "--format", "json"], capture_output=True, text=True, timeout=60)
        if proc.returncode != 0 or json.loads(proc.stdout)["total"] > 1:
            problems.append(f"`archive search {marker}`: exit {proc.returncode} {proc.stdout[:80]!r} {proc.stderr.strip()[-200:]}")
    if complete and len(indexed_paths) != len(markers):
        problems.append(f"{len(indexed_paths)} files indexed, {len(markers)} in the corpus")
    return problems


def stale_lock(index: Path) -> str:
    try:
        holder = (index / "archive-ingest.lock").read_text().strip()
    except OSError:
        return "no lock file"
    pid = int(holder.split()[-1]) if holder.startswith("pid ") else 0
    if not pid:
        return "lock file empty"
    return f"left naming dead pid {pid}" if not Path(f"/proc/{pid}").exists() else f"names live pid {pid}"


def crash_rounds(args, corpus: Path, markers: dict[str, str], full_seconds: float, figures: Figures) -> None:
    rng = random.Random(args.seed)
    sample = rng.sample(sorted(markers.values()), 3)
    round_no = 0
    while figures.kills < args.kills:
        round_no += 1
        index = args.workdir / "index"
        shutil.rmtree(index, ignore_errors=True)
        for attempt in range(args.kills_per_round):
            remaining = len(markers) - len(manifest_files(index))
            expected = 2.0 + full_seconds * remaining / len(markers)  # start-up, then the files left
            kill_at = rng.uniform(0.0, expected * 1.05)
            before = len(manifest_files(index))
            run = Ingest(corpus, index, args.jobs, args.batch_files, len(markers)).finish(kill_at)
            after = len(manifest_files(index))
            where = run.phase
            if not run.killed:
                figures.finished_first += 1
                if before == 0 and run.rc == 0:
                    full_seconds = run.seconds  # the machine's load changes: keep the estimate current
                if run.rc != 0:
                    figures.problems.append(f"round {round_no}: an unkilled run exited {run.rc}: {run.err[-300:]}")
                break
            figures.kills += 1
            figures.phases[re.sub(r" \d+$", "", where)] += 1
            lock = stale_lock(index)
            problems = check_index(index, markers, complete=False, cli_sample=sample)
            print(f"round {round_no} kill {figures.kills}: at {kill_at:5.1f} s, {where}; {before} -> {after} files committed; "
                  f"lock {lock}; {'ok' if not problems else 'PROBLEMS'}", flush=True)
            if problems:
                figures.problems += [f"kill {figures.kills} ({where}): {p}" for p in problems]
            else:
                figures.checks_ok += 1
            if figures.kills >= args.kills:
                break
        before = len(manifest_files(index))
        seconds = recover(args, corpus, index, markers, figures, sample, f"round {round_no}")
        if before == 0:
            full_seconds = seconds


def recover(args, corpus, index, markers, figures, sample, label) -> float:
    run = Ingest(corpus, index, args.jobs, args.batch_files).finish(None, limit=args.wall)
    summary = next((line for line in run.out.splitlines() if " added, " in line), "")
    problems = []
    if run.rc != 0:
        problems.append(f"re-run exited {run.rc}: {(summary or run.err.strip()[-300:])}")
    if "being written by" in run.err:
        problems.append("re-run refused: the dead writer's lock was not cleared")
    problems += check_index(index, markers, complete=True, cli_sample=sample)
    figures.recovery_seconds.append(run.seconds)
    print(f"{label} re-run: exit {run.rc} in {run.seconds:.1f} s; {summary.split(';')[0]}; {'ok' if not problems else 'PROBLEMS'}", flush=True)
    if problems:
        figures.problems += [f"{label} re-run: {p}" for p in problems]
    else:
        figures.recoveries_ok += 1
    return run.seconds


def main_only_kill(args, corpus: Path, markers: dict[str, str], full_seconds: float, figures: Figures) -> None:
    """Kill the main process alone, as the out-of-memory killer would, and try the next ingest."""
    index = args.workdir / "index-main-only"
    shutil.rmtree(index, ignore_errors=True)
    ingest = Ingest(corpus, index, args.jobs, args.batch_files)
    time.sleep(max(3.0, full_seconds * 0.3))
    children = [int(p) for p in subprocess.run(["pgrep", "-g", str(ingest.proc.pid)], capture_output=True, text=True).stdout.split()]
    os.kill(ingest.proc.pid, signal.SIGKILL)
    ingest.proc.wait()
    time.sleep(3)
    left = [p for p in children if p != ingest.proc.pid and Path(f"/proc/{p}").exists()]
    run = Ingest(corpus, index, args.jobs, args.batch_files).finish(None, limit=args.wall)
    refused = "being written by" in run.err
    print(f"main process only killed: {len(left)} worker processes still alive 3 s later; next ingest exit {run.rc}"
          f"{' (refused: ' + run.err.strip().splitlines()[-1] + ')' if refused else ''}")
    if left:
        figures.problems.append(f"after the main process was killed, {len(left)} orphaned workers stayed alive")
    if run.rc != 0:
        figures.problems.append(f"after the main process was killed, the next ingest exited {run.rc}" + (" (lock held by the orphans)" if refused else ""))
    for pid in left:  # ours: started by this script
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/archive-crash-test"))
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--kills-per-round", type=int, default=2, help="Kills before each run to completion.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--batch-files", type=int, help="Commit every N files (through a Python driver, not the CLI).")
    parser.add_argument("--wall", type=float, default=600, help="Seconds a run to completion may take.")
    parser.add_argument("--main-only", action="store_true", help="Also kill the main process alone once (see above).")
    args = parser.parse_args(argv)

    shutil.rmtree(args.workdir, ignore_errors=True)
    corpus = args.workdir / "corpus"
    markers = write_corpus(corpus, args.files, args.seed)
    full = Ingest(corpus, args.workdir / "calibration", args.jobs, args.batch_files).finish(None, limit=args.wall)
    print(f"corpus: {len(markers)} files in {corpus}; one full ingest (cold) takes {full.seconds:.1f} s, exit {full.rc}", flush=True)
    if full.rc != 0:
        print(full.err[-2000:])
        return 1
    figures = Figures()
    started = time.monotonic()
    crash_rounds(args, corpus, markers, full.seconds, figures)
    if args.main_only:
        main_only_kill(args, corpus, markers, full.seconds, figures)
    print(f"\nkills: {figures.kills} (plus {figures.finished_first} runs that finished before their kill moment); "
          f"checks after a kill passed: {figures.checks_ok}/{figures.kills}; re-runs to completion passed: "
          f"{figures.recoveries_ok}/{len(figures.recovery_seconds)} "
          f"(median {sorted(figures.recovery_seconds)[len(figures.recovery_seconds) // 2]:.1f} s); total {time.monotonic() - started:.0f} s")
    print("kills by phase: " + ", ".join(f"{k} {v}" for k, v in sorted(figures.phases.items())))
    kinds = Counter(re.sub(r"zq[a-z]+|\d+", "…", p.split(": ", 1)[1] if p.startswith("kill ") else p) for p in figures.problems)
    print(f"{len(figures.problems)} problems, {len(kinds)} kinds:")
    for kind, count in kinds.most_common():
        print(f"  {count:>3} x {kind}")
    return 1 if figures.problems else 0


if __name__ == "__main__":
    sys.exit(main())
