"""Ingest figures for bench/run.py: `archive ingest` as a child process, and raw pdfminer as the limit.

Every ingest runs `archive ingest` exactly as a person would, into a fresh
index folder (so neither the extraction cache nor the manifest helps), and is
reaped with ``os.wait4``: that gives the wall time, the CPU time of the whole
process tree (extraction workers included) and the peak resident memory of its
largest process, without mixing in any other child of the benchmark.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "corpus" / "projects.toml"
_WRITTEN = re.compile(r"(\d+) documents written in ([\d.]+)s")


@dataclass
class Child:
    """One child process: wall and CPU seconds, peak RSS (MB) of its largest process, what it printed."""

    wall: float
    cpu: float
    maxrss_mb: float
    status: int
    stdout: str
    stderr: str


def run_child(argv: list[str], env: dict | None = None) -> Child:
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode,
                     out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def archive_command() -> str:
    local = Path(sys.executable).parent / "archive"
    return str(local) if local.exists() else (shutil.which("archive") or "archive")


@dataclass
class Ingest:
    jobs: int
    files: int
    documents: int
    wall: float  # the whole process, start-up included
    sync_seconds: float  # what `archive ingest` reports for the sync itself
    cpu: float  # user + system of the process tree
    maxrss_mb: float
    failed: int
    load: float

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.sync_seconds if self.sync_seconds else 0.0

    def to_dict(self) -> dict:
        return dict(asdict(self), docs_per_s=self.docs_per_s)


def code_command(code: Path) -> list[str]:
    """`archive` run from the checkout ``code`` (another commit, e.g. a `git worktree`) with this Python."""
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(code)!r}); sys.argv[0] = 'archive'; "
            "from search.cli import main; main()"]


def ingest(paths: list[Path], index_dir: Path, jobs: int, fresh: bool = True, files: int | None = None,
           command: list[str] | None = None) -> Ingest:
    """`archive ingest PATHS --index DIR --jobs N`, into a new folder unless ``fresh`` is False;
    ``command``: how to run `archive` (default: this checkout's)."""
    if fresh and index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    argv = [*(command or [archive_command()]), "ingest", *map(str, paths), "--index", str(index_dir), "--jobs", str(jobs),
            "--projects", str(PROJECTS)]
    child = run_child(argv)
    found = _WRITTEN.search(child.stdout)
    if child.status not in (0, 1) or not found:
        raise SystemExit(f"`archive ingest` failed ({child.status}): {child.stderr.strip()[-500:]}")
    failed = sum(1 for line in child.stderr.splitlines() if line.startswith("failed: "))
    return Ingest(jobs, files or len(paths), int(found.group(1)), child.wall, float(found.group(2)), child.cpu, child.maxrss_mb,
                  failed, round(os.getloadavg()[0], 2))


def reingest(corpus: Path, index_dir: Path, jobs: int, runs: int = 3, command: list[str] | None = None) -> dict:
    """A second `archive ingest` of the unchanged corpus: median whole-process wall time over ``runs``."""
    walls, syncs, cpus = [], [], []
    for _ in range(runs):
        result = ingest([corpus], index_dir, jobs, fresh=False, command=command)
        if result.documents:
            raise SystemExit(f"the second ingest rewrote {result.documents} documents: the corpus changed?")
        walls.append(result.wall)
        syncs.append(result.sync_seconds)
        cpus.append(result.cpu)
    return {"runs": runs, "wall": statistics.median(walls), "sync_seconds": statistics.median(syncs), "cpu": statistics.median(cpus)}


def raw_pdfminer(pdfs: list[Path]) -> dict:
    """``pdfminer.high_level.extract_text`` on each file in this process: the speed limit of PDF extraction."""
    from pdfminer.high_level import extract_text

    if pdfs:
        extract_text(str(pdfs[0]))  # imports and font caches, not timed
    chars = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for path in pdfs:
        chars += len(extract_text(str(path)))
    return {"files": len(pdfs), "wall": time.perf_counter() - start, "cpu": time.process_time() - start_cpu, "chars": chars}


def sizes(index_dir: Path) -> dict:
    """Bytes on disk: the Whoosh segment files, the extraction cache, everything else beside them."""
    def tree(path: Path) -> int:
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0

    whoosh_bytes = tree(index_dir / "whoosh")
    cache_bytes = tree(index_dir / "extract-cache")
    return {"whoosh": whoosh_bytes, "cache": cache_bytes, "other": tree(index_dir) - whoosh_bytes - cache_bytes}


def pipeline_extract(pdfs: list[Path]) -> dict:
    """``archive.pipeline.extract_file`` on each file in this process: the archive's extraction (layout, reading
    order, language, metadata) without the index, to split the gap to raw pdfminer between extraction and indexing."""
    from archive.options import ExtractOptions
    from archive.pipeline import extract_file

    options = ExtractOptions()
    if pdfs:
        extract_file(pdfs[0], options)  # imports and word lists, not timed
    start, start_cpu = time.perf_counter(), time.process_time()
    for path in pdfs:
        extract_file(path, options)
    return {"files": len(pdfs), "wall": time.perf_counter() - start, "cpu": time.process_time() - start_cpu}


def cores_comparison(paths: list[Path], work: Path, codes: dict[str, Path | None], jobs: tuple[int, ...] = (1, 2),
                     files: int | None = None, resync: int = 0) -> dict:
    """Fresh ingests of ``paths`` with each `--jobs`, for each checkout in ``codes`` (label -> folder, None:
    this one), one after the other in one run: wall, CPU of the process tree, documents per CPU-second, and
    the wall ratio of the most jobs to one; with ``resync`` (one folder only), that many second ingests of it
    unchanged (median)."""
    out = {}
    for label, code in codes.items():
        command = code_command(code) if code else None
        runs = {}
        for n in jobs:
            result = ingest(paths, work / f"{label}-j{n}", n, files=files, command=command)
            runs[n] = dict(result.to_dict(), docs_per_cpu_s=result.documents / result.cpu if result.cpu else 0.0)
            print(f"  {label} --jobs {n}: {result.documents} documents, wall {result.wall:.1f} s, CPU {result.cpu:.1f} s, "
                  f"{runs[n]['docs_per_cpu_s']:.2f} documents per CPU-second, load {result.load}", flush=True)
        if resync and len(paths) == 1:
            runs["resync"] = reingest(paths[0], work / f"{label}-j{jobs[-1]}", jobs[-1], resync, command)
            print(f"  {label}: unchanged re-sync {runs['resync']['wall']:.2f} s (sync {runs['resync']['sync_seconds']:.2f} s)", flush=True)
        if len(jobs) > 1:
            runs["wall_ratio"] = runs[jobs[0]]["wall"] / runs[jobs[-1]]["wall"]
            print(f"  {label}: --jobs {jobs[-1]} is {runs['wall_ratio']:.2f}x faster than --jobs {jobs[0]} (wall)", flush=True)
        out[label] = runs
    return out


def main(argv: list[str] | None = None) -> int:
    """python bench/bench_ingest.py PATH... [--jobs 1,2] [--before DIR] [--work DIR] [--out FILE.json]

    Ingests PATH... afresh with each --jobs (default 1 and 2), with this checkout and, with --before,
    with the checkout in DIR (e.g. `git worktree add /tmp/before COMMIT`), one after the other.
    """
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--before", type=Path, help="another checkout to measure first, the same way")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-ingest"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--resync", type=int, default=0, help="then time this many unchanged re-syncs (one PATH only)")
    args = parser.parse_args(argv)
    jobs = tuple(int(j) for j in args.jobs.split(","))
    codes = ({"before": args.before} if args.before else {}) | {"after": None}
    files = sum(1 for p in args.paths for f in (p.rglob("*") if p.is_dir() else [p]) if f.is_file())
    started = time.strftime("%Y-%m-%dT%H:%M")
    load = os.getloadavg()[0]
    result = cores_comparison(args.paths, args.work, codes, jobs, files, args.resync)
    record = {"started": started, "load_start": load, "load_end": os.getloadavg()[0], "paths": [str(p) for p in args.paths],
              "files": files, "results": result}
    print(json.dumps(record, indent=1, default=str))
    if args.out:
        args.out.write_text(json.dumps(record, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
