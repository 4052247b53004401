"""Search latency on a generated corpus: the engine opened once, and `archive search` as a whole process.

    python bench/bench_search.py [--docs 20000] [--seed 0] [--queries 200] [--index DIR] [--profile] [--write-docs]

The index (default ``bench/out/index-DOCS-sSEED``) is built when missing: the
corpus comes from ``bench/make_corpus.py`` (same --docs and --seed) and is
ingested with ``indexer.sync.sync``; the ingest time is measured then and kept
beside the index (``*.ingest.json``) for later runs.

Queries are drawn (fixed seed) from the indexed text of random documents, a
third each in French, Dutch and English: 40 % one word, 40 % two consecutive
words, 20 % three consecutive words, typed without quotes; words have at least
3 letters (4 for single words). The engine is opened once; each kind of query
is warmed up on 20 other queries, then timed over all of them:

* plain: ranking and grouping into documents, first page of 10 (each hit's stored fields read), no facets, no snippets;
* filtered: the same with the language and year of the document the words came from;
* faceted: plain with facet counts (year, language, project, type);
* highlighted: plain with each hit's snippet, the matched words located in it;
* full page: faceted and highlighted, what the CLI and the web page ask for (target: p95 <= 50 ms).

"No snippets" is asked through the contract: ``SearchRequest(snippet_chars=0)``,
for which an engine cuts no snippet (``indexer.snippets.make_snippet`` returns an
empty one at once), so "highlighted" minus "plain" is what the snippets cost.

Then ``archive search`` runs as a separate process (``--cli-runs`` times, a
different query each time) for its wall time (target: median <= 0.3 s), and
once under ``python -X importtime`` to list what the search path imports: none
of pdfminer, trafilatura, bs4, langdetect, fastapi, starlette or uvicorn may
appear. ``--profile`` (implied when a target is missed) runs the full-page
queries under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus  # noqa: E402
from eval_search import machine, percentile, write_section  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_CLI_S = 0.3
FORBIDDEN = ("pdfminer", "trafilatura", "bs4", "langdetect", "fastapi", "starlette", "uvicorn")
WARMUP = 20
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


# --- the index ---------------------------------------------------------------------


def default_index(docs: int, seed: int) -> Path:
    return make_corpus.OUT / f"index-{docs}-s{seed}"


def ingest_record(index_dir: Path) -> Path:
    return index_dir.with_name(index_dir.name + ".ingest.json")


def ensure_index(args) -> dict:
    """Build the corpus and the index if needed; the ingest figures, measured now or when it was built."""
    from indexer import engines, store
    from indexer.whoosh import index as whoosh_index
    from indexer.sync import SyncOptions, sync

    record = ingest_record(args.index)
    if engines.is_current(args.index) and record.exists():
        info = json.loads(record.read_text(encoding="utf-8"))
        print(f"index {args.index} exists (built {info['date']}: {info['documents']} documents in {info['seconds']:.0f} s)")
        return info
    corpus = args.corpus or make_corpus.default_out(args.docs, args.seed)
    manifest = make_corpus.build(args.docs, args.seed, corpus, args.data, make_corpus.DEFAULT_PROJECTS, args.jobs)
    if args.index.exists() and args.index.resolve().is_relative_to(make_corpus.OUT.resolve()):
        # An outdated benchmark index: start afresh, so that no cached extraction flatters the ingest time.
        shutil.rmtree(args.index)
    print(f"ingesting {corpus} into {args.index} ...", flush=True)
    options = SyncOptions(jobs=args.jobs, vocabulary=make_corpus.DEFAULT_PROJECTS)
    done, cached = [0], [0]

    def progress(result) -> None:
        done[0] += 1
        cached[0] += bool(result.cached)
        if done[0] % 1000 == 0:
            print(f"  {done[0]} files", flush=True)

    report = sync([corpus], args.index, options, on_result=progress)
    for path, reason in report.failed[:10]:
        print(f"  failed: {path}: {reason}")
    info = {
        "date": dt.date.today().isoformat(), "corpus": str(corpus), "files": len(manifest["documents"]),
        "documents": report.documents, "failed": len(report.failed), "seconds": report.seconds,
        "docs_per_s": report.documents / report.seconds if report.seconds else 0.0,
        "jobs": args.jobs or len(os.sched_getaffinity(0)), "complete": report.added == len(manifest["documents"]),
        "formats": {f: sum(1 for d in manifest["documents"] if d["format"] == f) for f in make_corpus.WRITERS},
        "cached": cached[0], "load": round(os.getloadavg()[0], 1),
    }
    if info["complete"]:
        record.write_text(json.dumps(info, indent=1), encoding="utf-8")
    else:
        print(f"  (ingest resumed an earlier run: {report.added} files added now, figures not kept)")
    print(f"ingested {report.documents} documents in {report.seconds:.1f} s ({info['docs_per_s']:.1f} docs/s)")
    return info


def index_size(index_dir: Path) -> float:
    whoosh_dir = index_dir / "whoosh"
    return sum(p.stat().st_size for p in whoosh_dir.iterdir() if p.is_file()) / 1e6 if whoosh_dir.exists() else 0.0


# --- the queries -------------------------------------------------------------------


def draw_queries(engine, corpus_manifest: dict, corpus_dir: Path, count: int, seed: int) -> list[dict]:
    from archive.pipeline import document_id

    rng = random.Random(f"bench-search/{seed}")
    by_lang: dict[str, list[dict]] = {}
    for doc in corpus_manifest["documents"]:
        if len(doc["langs"]) == 1:
            by_lang.setdefault(doc["lang"], []).append(doc)
    langs = sorted(by_lang)
    queries: list[dict] = []
    while len(queries) < count:
        lang = langs[len(queries) % len(langs)]
        spec = rng.choice(by_lang[lang])
        info = engine.document(document_id(os.path.abspath(corpus_dir / spec["file"]), 0), include_internal=True)
        if info is None:
            continue
        words = _WORD.findall(info.text)
        size = rng.choices((1, 2, 3), weights=(0.4, 0.4, 0.2))[0]
        for _ in range(50):
            at = rng.randrange(max(1, len(words) - size))
            run = words[at:at + size]
            if len(run) == size and all(len(w) >= (4 if size == 1 else 3) for w in run):
                queries.append({"query": " ".join(run), "lang": lang, "year": spec["year"], "words": size})
                break
    return queries


# --- timing ------------------------------------------------------------------------


def bench_engine_class():
    """The engine measured: Whoosh's, unchanged (snippets are switched off per request, see request_for)."""
    from indexer.whoosh.engine import WhooshEngine

    return WhooshEngine


#: Characters of a hit's snippet when the kind has snippets (the contract's default); 0: none cut.
SNIPPET_CHARS = 220

KINDS = (
    # name, facets, snippets (highlighted), filtered
    ("plain", False, False, False),
    ("filtered (lang + year)", False, False, True),
    ("faceted", True, False, False),
    ("highlighted", False, True, False),
    ("full page (facets + highlights)", True, True, False),
)


def request_for(query: dict, facets: bool, filtered: bool, snippets: bool = True):
    from indexer.contract import SearchRequest

    return SearchRequest(query=query["query"], langs=(query["lang"],) if filtered else (), years=(query["year"],) if filtered else (),
                         per_page=10, facets=facets, include_internal=True, snippet_chars=SNIPPET_CHARS if snippets else 0)


def time_kind(engine, queries: list[dict], warm: list[dict], facets: bool, highlight: bool, filtered: bool) -> dict:
    """Wall and CPU milliseconds per query (CPU time stays meaningful on a busy machine), and hit counts;
    ``highlight``: the hits have their snippets (with the matches located), else none is cut."""
    for query in warm:
        engine.search(request_for(query, facets, filtered, highlight))
    wall, cpu, totals = [], [], []
    for query in queries:
        request = request_for(query, facets, filtered, highlight)
        start, start_cpu = time.perf_counter(), time.process_time()
        response = engine.search(request)
        cpu.append(1000 * (time.process_time() - start_cpu))
        wall.append(1000 * (time.perf_counter() - start))
        totals.append(response.total)
    return {"wall": wall, "cpu": cpu, "totals": totals}


def profile_full_page(engine, queries: list[dict], top: int = 16) -> str:
    """The functions that take the most time over the full-page queries: by cumulative time, then by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        engine.search(request_for(query, True, False))
    profiler.disable()
    blocks = []
    for order, label in (("cumulative", "by cumulative time"), ("tottime", "by own time")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        lines = [line.rstrip() for line in out.getvalue().splitlines()]
        total = next((line.strip() for line in lines if "function calls" in line), "")
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), len(lines))
        body = [line for line in lines[start:] if line.strip()]
        blocks.append(f"{label} ({total}):\n" + "\n".join(body))
    text = "\n\n".join(blocks)
    return re.sub(r"/\S*/site-packages/", "", text).replace(str(ROOT) + "/", "")


def cli_command() -> str:
    local = Path(sys.executable).parent / "archive"
    command = str(local) if local.exists() else shutil.which("archive")
    if not command:
        raise SystemExit("no `archive` command found (is the package installed in this venv?)")
    return command


def time_cli(index_dir: Path, queries: list[dict], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each `archive search` process."""
    command = cli_command()
    wall, cpu = [], []
    for query in queries[:runs]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([command, "search", "--index", str(index_dir), "--format", "json", "--", query["query"]],
                              capture_output=True, text=True)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"`archive search` failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return wall, cpu


CLI_WORDS = ("enfants", "kinderen", "children", "droits", "school", "rapport", "veiligheid", "protection", "jeunes", "project")


def cli_startup(index_dir: Path, runs: int, codes: dict[str, Path | None], bytecode: bool) -> dict:
    """`archive search` as a process, ``runs`` times for each checkout in ``codes`` (label -> folder, None:
    this one), interleaved so that the load hits them alike, with `python -c pass` in the same rounds.

    ``bytecode``: compiled modules cached (in a private folder: $PYTHONPYCACHEPREFIX, the tree is left
    alone), as an installed package runs; without, every module is compiled from source on every start
    ($PYTHONDONTWRITEBYTECODE, which this machine's shells set)."""
    import tempfile

    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "archive-bench-pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    commands = {"python -c pass": [sys.executable, "-c", "pass"]}
    for label, code in codes.items():
        root = str(code or ROOT)
        commands[label] = [sys.executable, "-c", f"import sys; sys.path.insert(0, {root!r}); sys.argv[0] = 'archive'; "
                           "from search.cli import main; main()", "search", "--index", str(index_dir), "--format", "json", "--"]
    times: dict[str, dict[str, list[float]]] = {label: {"wall": [], "cpu": []} for label in commands}
    for i in range(runs + 1):  # the first round fills the bytecode cache and is not counted
        for label, argv in commands.items():
            argv = argv + [CLI_WORDS[i % len(CLI_WORDS)]] if label != "python -c pass" else argv
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, env=env)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise SystemExit(f"{label} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
            if i:
                times[label]["wall"].append(wall)
                times[label]["cpu"].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {label: {"wall": statistics.median(t["wall"]), "wall_p95": percentile(t["wall"], 95), "cpu": statistics.median(t["cpu"]),
                    "runs": len(t["wall"])} for label, t in times.items()}


def python_startup(runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def search_imports(index_dir: Path, query: str) -> tuple[list[str], list[tuple[str, float]], float]:
    """Top-level packages imported by `archive search`, the slowest imports, and total import time (s)."""
    code = ("import sys; sys.argv = ['archive', 'search', '--index', sys.argv[1], '--format', 'json', '--', sys.argv[2]]; "
            "from search.cli import main; main()")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, str(index_dir), query], capture_output=True, text=True)
    packages: set[str] = set()
    rows: list[tuple[str, float]] = []
    total = 0.0
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        name = m.group(4)
        packages.add(name.split(".")[0])
        total += int(m.group(1)) / 1e6
        if len(m.group(3)) == 1:  # nested imports are indented further
            rows.append((name, int(m.group(2)) / 1e6))
    rows.sort(key=lambda r: -r[1])
    return sorted(packages), rows[:8], total


# --- report ------------------------------------------------------------------------


def latency_table(rows: list[tuple[str, dict]]) -> str:
    lines = ["| query kind | queries | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | median hits (documents) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows:
        wall, cpu = r["wall"], r["cpu"]
        lines.append(f"| {name} | {len(wall)} | {percentile(wall, 50):.1f} | **{percentile(wall, 95):.1f}** | {max(wall):.1f} "
                     f"| {percentile(cpu, 50):.1f} | {percentile(cpu, 95):.1f} | {statistics.median(r['totals']):.0f} |")
    return "\n".join(lines)


def section(info: dict) -> str:
    ingest = info["ingest"]
    return f"""## Latency on a generated corpus of {info['docs']:,} documents

*{info['date']}, {info['machine']}; load average {info['load']} while measuring.*

**Corpus.** `python bench/make_corpus.py --docs {info['docs']} --seed {info['seed']}`: {ingest['files']:,} files
({', '.join(f'{n:,} {f}' for f, n in ingest['formats'].items())}) recombined from the public FR/NL/EN text of
`../shared/data` (lingua's test sentences, paragraphs extracted from the public PDFs, gold text of the HTML pages),
200-3000 words each, dated 2005-2025, typed and naming projects of `corpus/projects.toml`; see the script's docstring.
Index: {info['passages']:,} passages in {info['segments']} Whoosh segments, {info['size']:.0f} MB on disk.

**Ingest** (`indexer.sync.sync`, {ingest['jobs']} extraction processes, measured {ingest['date']} when the index was built):
{ingest['documents']:,} documents in {ingest['seconds']:.0f} s, **{ingest['docs_per_s']:.1f} documents/s**{'' if not ingest['failed'] else f", {ingest['failed']} files failed"}{'' if ingest.get('complete', True) else ' (an interrupted ingest resumed: partial figures)'}{f" ({ingest['cached']} files came from the extraction cache)" if ingest.get('cached') else ''}; load average {ingest.get('load', '?')} at the end.

**Queries.** {info['queries']} queries drawn from the indexed text of random documents, a third each in French, Dutch
and English (40 % one word, 40 % two consecutive words, 20 % three), without quotes. The engine is opened once
({info['open_ms']:.0f} ms) and reused; each kind is warmed up on {WARMUP} other queries. "Plain" asks for no snippets
(`SearchRequest(snippet_chars=0)`: each hit's stored fields are read, no snippet is cut), "highlighted" for each hit's
snippet with its matches located. Target: the full page (faceted, highlighted first page of 10) at p95 ≤ {TARGET_P95_MS:.0f} ms.

{info['table']}

**`archive search` as a process** (`archive search --index DIR --format json -- QUERY`, start-up included, {info['cli_runs']}
runs with different queries): median **{info['cli_median']:.2f} s** wall, {info['cli_cpu']:.2f} s CPU (user + system), p95 {info['cli_p95']:.2f} s
(target: median ≤ {TARGET_CLI_S} s);
`python -c pass` alone takes {info['startup']:.3f} s here. Imports measured with `python -X importtime`: {info['import_total']:.2f} s in all;
slowest top-level imports: {info['slow_imports']}. Heavy packages on the search path: **{info['forbidden']}**.

{info['profile']}**Command:** `{info['command']}`
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000, help="corpus size (default 20000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--index", type=Path, help="index folder (default: bench/out/index-DOCS-sSEED; built when missing)")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: bench/out/corpus-DOCS-sSEED)")
    parser.add_argument("--data", type=Path, default=make_corpus.DEFAULT_DATA, help="public data (default: ../shared/data)")
    parser.add_argument("--jobs", type=int, help="processes for corpus generation and extraction (default: all cores)")
    parser.add_argument("--cli-runs", type=int, default=20)
    parser.add_argument("--cli-only", action="store_true",
                        help="only `archive search` as a process (--cli-runs rounds), with and without cached bytecode; needs --index")
    parser.add_argument("--before", type=Path, help="with --cli-only: another checkout (e.g. a `git worktree`) timed the same way")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the full-page queries")
    parser.add_argument("--write-docs", action="store_true", help="write the results to docs/SEARCH_EVAL.md")
    args = parser.parse_args(argv)
    args.index = args.index or default_index(args.docs, args.seed)
    if args.cli_only:
        codes = ({"before": args.before} if args.before else {}) | {"after": None}
        load = os.getloadavg()[0]
        for bytecode in (False, True):
            result = cli_startup(args.index, args.cli_runs, codes, bytecode)
            print(f"{'bytecode cached' if bytecode else 'no bytecode cache (PYTHONDONTWRITEBYTECODE=1)'}:")
            for label, r in result.items():
                print(f"  {label}: median {r['wall']:.3f} s, p95 {r['wall_p95']:.3f} s, CPU {r['cpu']:.3f} s over {r['runs']} runs")
        print(f"load average: {load:.1f} -> {os.getloadavg()[0]:.1f}")
        return 0
    corpus = args.corpus or make_corpus.default_out(args.docs, args.seed)

    from indexer import engines, store

    from indexer.whoosh import index as whoosh_index

    if not (args.data / "langid").is_dir() and not (engines.is_current(args.index) and make_corpus.read_manifest(corpus)):
        print(f"no public data in {args.data} and no corpus built; nothing to measure")
        return 0
    ingest = ensure_index(args)
    manifest = make_corpus.read_manifest(corpus)
    if manifest is None:
        raise SystemExit(f"no corpus.json in {corpus}: pass --corpus for the corpus this index was built from")

    started = time.perf_counter()
    engine = bench_engine_class().open(args.index)
    open_ms = 1000 * (time.perf_counter() - started)
    passages = engine.searcher().doc_count()
    segments = len(engine.searcher().subsearchers)
    queries = draw_queries(engine, manifest, corpus, args.queries + WARMUP, args.seed)
    warm, queries = queries[:WARMUP], queries[WARMUP:]
    load_before = os.getloadavg()[0]
    rows = []
    for name, facets, highlight, filtered in KINDS:
        result = time_kind(engine, queries, warm, facets, highlight, filtered)
        rows.append((name, result))
        print(f"  {name}: p50 {percentile(result['wall'], 50):.1f} ms, p95 {percentile(result['wall'], 95):.1f} ms "
              f"(CPU {percentile(result['cpu'], 50):.1f} / {percentile(result['cpu'], 95):.1f})", flush=True)
    load = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    table = latency_table(rows)
    full_p95 = percentile(rows[-1][1]["wall"], 95)

    cli, cli_cpu = time_cli(args.index, queries, args.cli_runs)
    startup = python_startup()
    packages, slow, import_total = search_imports(args.index, queries[0]["query"])
    forbidden = sorted(p for p in packages if p in FORBIDDEN)

    profile = ""
    if args.profile or full_p95 > TARGET_P95_MS:
        profile = profile_full_page(engine, queries)
    engine.close()

    print()
    print(f"index: {passages:,} passages in {segments} segments, {index_size(args.index):.0f} MB; engine opened in {open_ms:.0f} ms")
    print(table)
    print(f"\narchive search (process): median {statistics.median(cli):.2f} s (CPU {statistics.median(cli_cpu):.2f} s), "
          f"p95 {percentile(cli, 95):.2f} s over {len(cli)} runs;"
          f" python -c pass {startup:.3f} s; imports {import_total:.2f} s")
    print("slowest imports: " + ", ".join(f"{n} {s * 1000:.0f} ms" for n, s in slow))
    print("heavy packages imported by `archive search`: " + (", ".join(forbidden) or "none"))
    print(f"load average while measuring: {load}")
    if profile:
        print("\ncProfile of the full-page queries:\n" + profile)

    if args.write_docs:
        profile_md = ""
        if profile:
            profile_md = ("**Where the time goes** (cProfile of the full-page queries; the profiler itself slows them down):\n\n"
                          "```\n" + profile + "\n```\n\n")
        info = {
            "docs": args.docs, "seed": args.seed, "date": dt.date.today().isoformat(), "machine": machine(), "load": load,
            "ingest": ingest, "passages": passages, "segments": segments, "size": index_size(args.index), "queries": len(queries), "open_ms": open_ms,
            "table": table, "cli_runs": len(cli), "cli_median": statistics.median(cli), "cli_p95": percentile(cli, 95),
            "cli_cpu": statistics.median(cli_cpu),
            "startup": startup, "import_total": import_total,
            "slow_imports": ", ".join(f"`{n}` {s * 1000:.0f} ms" for n, s in slow[:5]),
            "forbidden": ", ".join(forbidden) if forbidden else "none of " + ", ".join(FORBIDDEN),
            "profile": profile_md,
            "command": f"python bench/bench_search.py --docs {args.docs} --write-docs",
        }
        write_section("latency", section(info))
        print("\nwrote docs/SEARCH_EVAL.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
