"""Performance of the whole archive at several corpus sizes, measured in one run; writes docs/PERFORMANCE.md.

    python bench/run.py [--quick] [--sizes 1000,10000] [--out bench/out] [--reuse 2000,20000] [--no-docs]

For each size, a corpus is generated from the public text of ../shared/data
(``bench/make_corpus.py``, seed 0; built once, then reused) and measured:

1. ingest: raw ``pdfminer.high_level.extract_text`` over the corpus's PDFs in
   one process (the limit), then `archive ingest` of the same PDFs and of the
   whole corpus with ``--jobs 1`` and ``--jobs`` = all cores, each into a fresh
   index, as a child process (wall, CPU and peak memory from ``os.wait4``);
   then a second `archive ingest` of the unchanged corpus (median of 3);
2. size: the Whoosh index and the extraction cache on disk, against the
   passages' text (UTF-8) and the corpus files;
3. queries, with the engine opened once (``bench_search``'s queries and kinds:
   plain, filtered, faceted, highlighted, full page, plus misspelled queries
   that take the suggestion path) and the same queries on SQLite FTS5 over the
   same passages (``bench_fts5``), side by side;
4. `archive search` as a whole process (``bench_search.time_cli``);
5. the search page under 8 concurrent clients on loopback, with 1 and with
   all-cores server processes (``web_load``), and the server's peak memory.

Then one ingest (a sample of the largest corpus, in-process, one job) and the
full-page queries of the largest index are profiled (``bench_profile``).

``--reuse N`` measures an index already built by ``bench/bench_search.py``
(``bench/out/index-N-s0``) for everything but ingest, whose figures then come
from that script's record. ``--quick`` runs 200 documents with fewer queries
and shorter load tests (about 90 s of CPU, so under two minutes on two idle
cores; slower on a busy machine) and writes
``bench/out/perf-quick.json`` only. Results accumulate in
``OUT/perf-results.json`` (one entry per size), so sizes can be measured in
separate runs; the document is written from all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import bench_fts5  # noqa: E402
import bench_ingest  # noqa: E402
import bench_profile  # noqa: E402
import bench_search  # noqa: E402
import make_corpus  # noqa: E402
import web_load  # noqa: E402
from eval_search import percentile  # noqa: E402

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
FULL = {"queries": 200, "cli_runs": 15, "web_seconds": 15.0, "profile_docs": 150, "misspelled": 40}
QUICK = {"queries": 25, "cli_runs": 3, "web_seconds": 2.0, "profile_docs": 15, "misspelled": 6}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- ingest --------------------------------------------------------------------------


def measure_ingest(n: int, corpus: Path, manifest: dict, work: Path, jobs_list: list[int], pdf_limit: int | None) -> tuple[dict, Path]:
    docs = manifest["documents"]
    pdf_docs = [d for d in docs if d["format"] == "pdf"][:pdf_limit]
    pdfs = [corpus / d["file"] for d in pdf_docs]
    pages = sum(d.get("pages") or 0 for d in pdf_docs)
    out: dict = {"pdf_files": len(pdfs), "pdf_pages": pages}
    log(f"raw pdfminer over {len(pdfs)} PDFs ({pages} pages) ...")
    out["raw_pdfminer"] = bench_ingest.raw_pdfminer(pdfs)
    out["pdf_extract_only"] = bench_ingest.pipeline_extract(pdfs)
    out["pdf_ingest"] = {}
    for jobs in sorted({1, CORES}):
        log(f"`archive ingest` of the PDFs, --jobs {jobs} ...")
        result = bench_ingest.ingest(pdfs, work / f"pdf-{n}-j{jobs}", jobs)
        shutil.rmtree(work / f"pdf-{n}-j{jobs}", ignore_errors=True)
        out["pdf_ingest"][jobs] = result.to_dict()
    out["ingest"] = {}
    keep = work / f"index-{n}"
    for jobs in jobs_list:
        target = work / f"index-{n}-j{jobs}"
        log(f"`archive ingest` of {n} documents, --jobs {jobs} ...")
        result = bench_ingest.ingest([corpus], target, jobs, files=len(docs))
        out["ingest"][jobs] = result.to_dict()
        log(f"  {result.documents} documents in {result.sync_seconds:.1f} s ({result.docs_per_s:.1f}/s), "
            f"CPU {result.cpu:.0f} s, peak {result.maxrss_mb:.0f} MB")
        if jobs == max(jobs_list):
            if keep.exists():
                shutil.rmtree(keep)
            target.rename(keep)
        else:
            shutil.rmtree(target, ignore_errors=True)
    log("second `archive ingest` of the unchanged corpus (3 runs) ...")
    out["reingest"] = bench_ingest.reingest(corpus, keep, CORES)
    return out, keep


def reused_ingest(n: int) -> tuple[dict, Path]:
    index = bench_search.default_index(n, 0)
    record = json.loads(bench_search.ingest_record(index).read_text(encoding="utf-8"))
    info = {"documents": record["documents"], "sync_seconds": record["seconds"], "docs_per_s": record["docs_per_s"],
            "jobs": record["jobs"], "cpu": None, "maxrss_mb": None, "failed": record["failed"], "load": record.get("load"),
            "reused": f"bench/bench_search.py, {record['date']}"}
    return {"ingest": {record["jobs"]: info}}, index


# --- queries -------------------------------------------------------------------------


def misspell(queries: list[dict], count: int, seed: int) -> list[dict]:
    """Queries with two inner letters of their longest word swapped: the "did you mean" path."""
    rng = random.Random(f"perf-misspell/{seed}")
    out = []
    for query in rng.sample(queries, min(count, len(queries))):
        words = query["query"].split()
        i = max(range(len(words)), key=lambda k: len(words[k]))
        w = words[i]
        if len(w) >= 5:
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        out.append(dict(query, query=" ".join(words)))
    return out


def summary(result: dict) -> dict:
    wall, cpu = result["wall"], result["cpu"]
    return {"n": len(wall), "p50": percentile(wall, 50), "p95": percentile(wall, 95), "cpu50": percentile(cpu, 50),
            "cpu95": percentile(cpu, 95), "hits": statistics.median(result["totals"]) if result["totals"] else 0}


def measure_queries(index: Path, corpus: Path, manifest: dict, settings: dict, work: Path, seed: int) -> dict:
    engine = bench_search.bench_engine_class().open(index)
    searcher = engine.searcher()
    queries = bench_search.draw_queries(engine, manifest, corpus, settings["queries"] + bench_search.WARMUP, seed)
    warm, queries = queries[:bench_search.WARMUP], queries[bench_search.WARMUP:]
    log(f"building the FTS5 baseline over {searcher.doc_count():,} passages ...")
    rows = bench_fts5.passages_of(searcher)
    text_bytes = sum(len(r[-1].encode("utf-8")) for r in rows)
    fts_path = work / f"fts5-{index.name}.sqlite"
    fts = bench_fts5.Baseline(rows, fts_path)
    del rows
    kinds = {}
    for name, facets, highlight, filtered in bench_search.KINDS:
        ours = bench_search.time_kind(engine, queries, warm, facets, highlight, filtered)
        theirs = bench_fts5.time_kind(fts, queries, warm, facets, highlight, filtered)
        kinds[name] = {"archive": summary(ours), "fts5": summary(theirs)}
        log(f"  {name}: archive p50 {kinds[name]['archive']['p50']:.1f} / p95 {kinds[name]['archive']['p95']:.1f} ms; "
            f"FTS5 p50 {kinds[name]['fts5']['p50']:.2f} / p95 {kinds[name]['fts5']['p95']:.2f} ms")
    wrong = misspell(queries, settings["misspelled"], seed)
    ours = bench_search.time_kind(engine, wrong, warm[:5], True, True, False)
    kinds["misspelled (full page + suggestion)"] = {"archive": summary(ours), "fts5": None}
    out = {"passages": searcher.doc_count(), "text_bytes": text_bytes, "fts5_bytes": fts.bytes,
           "fts5_build_seconds": fts.build_seconds, "kinds": kinds, "queries": queries}
    fts.close()
    fts_path.unlink(missing_ok=True)
    engine.close()
    return out


def measure_cli(index: Path, queries: list[dict], runs: int) -> dict:
    wall, cpu = bench_search.time_cli(index, queries, runs)
    return {"runs": len(wall), "median": statistics.median(wall), "p95": percentile(wall, 95), "cpu": statistics.median(cpu)}


# --- the web page --------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        out += kids
        todo += kids
    return out


def _peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure_web(index: Path, workers: int, seconds: float) -> dict:
    with web_load.local_server(index, ["--workers", str(workers)]) as url:
        results = asyncio.run(web_load.run(url, 8, seconds, web_load.QUERIES, min(2.0, seconds / 2), {}))
        peaks = [_peak_mb(p) for p in _descendants(os.getpid())]
    latencies = [s for s, status in results if status == 200]
    return {"workers": workers, "clients": 8, "seconds": seconds, "requests": len(results),
            "rps": len(results) / seconds, "p50": 1000 * web_load.percentile(latencies, 0.50),
            "p95": 1000 * web_load.percentile(latencies, 0.95), "errors": sum(1 for _, s in results if s != 200),
            "peak_mb_max": max(peaks, default=0.0), "peak_mb_sum": sum(peaks)}


# --- profiles ------------------------------------------------------------------------


def profile_ingest(corpus: Path, manifest: dict, count: int, work: Path) -> dict:
    """One in-process ingest (one job, so extraction runs in this process) of every k-th file."""
    from indexer.sync import SyncOptions, sync

    docs = manifest["documents"]
    step = max(1, len(docs) // count)
    files = [corpus / d["file"] for d in docs[::step]][:count]
    target = work / "profile-index"
    # Word lists and extractor modules load on first use: not what an ingest of thousands of files pays for.
    sync(files[:3], work / "profile-warm", SyncOptions(jobs=1, vocabulary=make_corpus.DEFAULT_PROJECTS))
    shutil.rmtree(work / "profile-warm", ignore_errors=True)

    def once():
        shutil.rmtree(target, ignore_errors=True)
        sync(files, target, SyncOptions(jobs=1, vocabulary=make_corpus.DEFAULT_PROJECTS))

    result = bench_profile.profile(once, bench_profile.INGEST_STAGES)
    shutil.rmtree(target, ignore_errors=True)
    result["files"] = len(files)
    result["formats"] = dict(sorted({f: sum(1 for d in docs[::step][:count] if d["format"] == f) for f in ("txt", "html", "pdf")}.items()))
    return result


def profile_queries(index: Path, queries: list[dict], misspelled: list[dict]) -> dict:
    engine = bench_search.bench_engine_class().open(index)
    engine.highlight = True
    mixed = queries + misspelled

    def once():
        for query in mixed:
            engine.search(bench_search.request_for(query, True, False))

    once()  # warm caches, as a running server would be
    result = bench_profile.profile(once, bench_profile.QUERY_STAGES)
    engine.close()
    result["queries"], result["misspelled"] = len(queries), len(misspelled)
    return result


# --- one size ------------------------------------------------------------------------


def measure_size(n: int, args, settings: dict, reuse: bool) -> dict:
    started = time.perf_counter()
    corpus = make_corpus.default_out(n, args.seed)
    manifest = make_corpus.build(n, args.seed, corpus, args.data, make_corpus.DEFAULT_PROJECTS, None, log=log)
    work = args.out / "perf"
    work.mkdir(parents=True, exist_ok=True)
    if reuse:
        entry, index = reused_ingest(n)
    else:
        entry, index = measure_ingest(n, corpus, manifest, work, args.jobs, args.pdf_limit)
    entry.update(docs=n, formats={f: sum(1 for d in manifest["documents"] if d["format"] == f) for f in ("txt", "html", "pdf")},
                 corpus_bytes=sum((corpus / d["file"]).stat().st_size for d in manifest["documents"]),
                 index_bytes=bench_ingest.sizes(index), index=str(index), load_start=os.getloadavg()[0])
    log("queries (engine reused) and the FTS5 baseline ...")
    entry["search"] = measure_queries(index, corpus, manifest, settings, work, args.seed)
    queries = entry["search"].pop("queries")
    log("`archive search` as a process ...")
    entry["cli"] = measure_cli(index, queries, settings["cli_runs"])
    entry["web"] = []
    for workers in sorted({1, CORES}):
        log(f"search page, 8 clients, {workers} server process(es) ...")
        entry["web"].append(measure_web(index, workers, settings["web_seconds"]))
        log(f"  {entry['web'][-1]['rps']:.1f} requests/s, p50 {entry['web'][-1]['p50']:.0f} ms, p95 {entry['web'][-1]['p95']:.0f} ms")
    entry["load_end"] = os.getloadavg()[0]
    entry["date"] = dt.datetime.now().isoformat(timespec="minutes")
    entry["seconds"] = time.perf_counter() - started
    entry["_queries"] = queries
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 documents, fewer queries, short load tests (about 90 s of CPU)")
    parser.add_argument("--sizes", default=None, help="corpus sizes to ingest and measure, comma-separated (default 1000)")
    parser.add_argument("--reuse", default="", help="sizes whose bench_search.py index (bench/out/index-N-s0) is measured as is")
    parser.add_argument("--jobs", default=None, help=f"--jobs values for the whole-corpus ingest (default 1,{CORES})")
    parser.add_argument("--pdf-limit", type=int, default=None, help="compare with raw pdfminer on the first N PDFs only (default: all)")
    parser.add_argument("--out", type=Path, default=make_corpus.OUT, help="work folder (default bench/out)")
    parser.add_argument("--data", type=Path, default=make_corpus.DEFAULT_DATA, help="public data (default ../shared/data)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile/sampling pass")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/PERFORMANCE.md and docs/performance.svg")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    sizes = [int(s) for s in (args.sizes or ("200" if args.quick else "1000")).split(",") if s]
    reuse = [int(s) for s in args.reuse.split(",") if s]
    args.jobs = sorted({int(j) for j in (args.jobs or f"1,{CORES}").split(",")})
    if not (args.data / "langid" / "sentences").is_dir():
        print(f"no public data in {args.data}; nothing to measure")
        return 0
    args.out = args.out.resolve()
    results_path = args.out / ("perf-quick.json" if args.quick else "perf-results.json")
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() and not args.quick else {"sizes": {}}
    largest = None
    for n in sorted(set(sizes) | set(reuse)):
        log(f"=== {n:,} documents{' (reused index)' if n in reuse else ''} ===")
        entry = measure_size(n, args, settings, n in reuse)
        queries = entry.pop("_queries")
        results["sizes"][str(n)] = entry
        if largest is None or n > largest[0]:
            largest = (n, Path(entry["index"]), queries)
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    if not args.no_profile and largest:
        n, index, queries = largest
        corpus = make_corpus.default_out(n, args.seed)
        manifest = make_corpus.read_manifest(corpus)
        log(f"profiling an ingest of {settings['profile_docs']} files and the full-page queries on {n:,} documents ...")
        ingest_profile = profile_ingest(corpus, manifest, settings["profile_docs"], args.out / "perf")
        query_profile = profile_queries(index, queries, misspell(queries, settings["misspelled"], args.seed))
        results["profile"] = {"docs": n, "ingest": ingest_profile, "query": query_profile}
        results_path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    import bench_report

    command = " ".join(["python bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    results["commands"] = [c for c in results.get("commands", []) if c != command] + [command]
    results_path.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(bench_report.console(results))
    if not args.quick and not args.no_docs:
        bench_report.write(results, ROOT / "docs")
        log("wrote docs/PERFORMANCE.md and docs/performance.svg")
    log(f"results in {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
