"""Known-item search evaluation on the public PDF and HTML documents, against SQLite FTS5.

    python bench/eval_search.py [--data DIR] [--seed 0] [--cli-queries 30] [--index DIR] [--engine NAME] [--write-docs]

DIR defaults to ../shared/data next to the repository; its ``pdf/`` and
``html/`` folders are ingested into a fresh temporary index (files that fail,
such as the encrypted, corrupted and scanned PDFs, are listed and skipped;
Readability's ``*.expected.html`` outputs are not documents and are left out).

For every indexed document, runs of 5 consecutive words are drawn (fixed seed)
from its passages exactly as the index stores them, so the page each run comes
from is known. A PDF gets one run per page, at least ``--per-doc`` and at most
``--cap`` runs; other documents get ``--per-doc`` runs. A run qualifies when at
least 3 of its words hold a letter; words are cut on spaces and stripped of
punctuation at their edges, as a person copying words would do. Runs that occur
word for word (case and accents aside) in another document are left out: no
engine can tell which copy was meant.

``--engine`` (default ``$ARCHIVE_ENGINE``, else whoosh) chooses the archive's engine for the
ingest and the searches, e.g. ``--engine opensearch`` with ``ARCHIVE_OPENSEARCH_URL``.

Each run is searched without quotes: through the engine (opened once) and,
for a sample, through ``archive search`` as a separate process. The same runs
go to an SQLite FTS5 table over the same passages (one row per passage,
``unicode61 remove_diacritics 2``, each word double-quoted, implicit AND,
ranked by ``bm25()``, best passage per document). Metrics, over collapsed
document hits with a cutoff of 10:

* MRR: mean of 1/rank of the source document (0 when not in the top 10);
* right page: for runs from PDFs, the share whose source-document hit names the
  page the words came from (a page where the same run also occurs counts too);
  a run whose document is not in the top 10 counts as wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "data"
DOC = ROOT / "docs" / "SEARCH_EVAL.md"
RUN_WORDS = 5
CUTOFF = 10
TARGET_MRR = 0.95
TARGET_PAGE = 95.0

_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_LETTER = re.compile(r"[^\W\d_]")
_ALNUM = re.compile(r"[^\W_]")


# --- the documents and the runs -------------------------------------------------


@dataclass
class Doc:
    id: str
    path: str
    format: str
    lang: str
    passages: list[tuple[int | None, str]]  # (page, text) as the index stores them

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass
class Run:
    doc: Doc
    page: int | None
    words: list[str]
    #: Pages of the source document where the same run occurs (for "right page").
    pages: set[int | None] = field(default_factory=set)

    @property
    def query(self) -> str:
        return " ".join(self.words)


@dataclass
class Outcome:
    rank: int | None  # 1-based among document hits, None when not in the top CUTOFF
    page: int | None  # page reported by the source document's hit
    seconds: float
    cpu: float = 0.0  # CPU seconds: stays meaningful when the machine is busy
    top: str = ""  # path of the first hit
    error: str = ""

    @property
    def rr(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0


def source_files(data: Path) -> list[Path]:
    pdfs = sorted((data / "pdf").glob("*.pdf"))
    pages = sorted(p for p in (data / "html").glob("*.html") if not p.name.endswith(".expected.html"))
    return pdfs + pages


def words_of(text: str) -> list[str]:
    """Words as a person would copy them: cut on spaces, edge punctuation stripped, pure punctuation dropped."""
    out = []
    for token in text.split():
        word = _EDGES.sub("", token)
        if word and _ALNUM.search(word):
            out.append(word)
    return out


def key_of(words: list[str]) -> tuple[str, ...]:
    from archive.textutil import fold

    return tuple(fold(w) for w in words)


def load_documents(engine, index_dir: Path) -> list[Doc]:
    from indexer import store

    docs = []
    for path, entry in sorted(store.read_manifest(index_dir).items()):
        for doc_id in entry.get("ids", []):
            info = engine.document(doc_id, include_internal=True)
            if info is None:
                continue
            passages = [(p.page, p.text) for p in info.passages]
            docs.append(Doc(doc_id, path, info.format, info.lang, passages))
    return docs


def draw_runs(docs: list[Doc], seed: int, per_doc: int, cap: int) -> tuple[list[Run], int]:
    """Runs for every document, and how many were dropped because another document holds them too."""
    # Where each 5-word sequence occurs: key -> {(doc id, page)}.
    where: dict[tuple[str, ...], set[tuple[str, int | None]]] = {}
    candidates: dict[str, list[tuple[int | None, list[str]]]] = {}
    for doc in docs:
        spots = []
        for page, text in doc.passages:
            words = words_of(text)
            keys = key_of(words)
            for i in range(len(words) - RUN_WORDS + 1):
                where.setdefault(keys[i:i + RUN_WORDS], set()).add((doc.id, page))
                run = words[i:i + RUN_WORDS]
                if sum(1 for w in run if _LETTER.search(w)) >= 3:
                    spots.append((page, run))
        candidates[doc.id] = spots

    runs: list[Run] = []
    shared = 0
    for doc in docs:
        rng = random.Random(f"{seed}:{doc.name}:{doc.id}")
        spots = candidates[doc.id]
        if not spots:
            continue
        by_page: dict[int | None, list[list[str]]] = {}
        for page, run in spots:
            by_page.setdefault(page, []).append(run)
        paged = any(page is not None for page in by_page)
        wanted = min(cap, max(per_doc, len(by_page))) if paged else per_doc
        # Visit pages in a random order, one run per page per round, so that
        # short documents still give `per_doc` runs and long ones spread out.
        order = list(by_page)
        rng.shuffle(order)
        picked: list[tuple[int | None, list[str]]] = []
        used: set[tuple[int | None, int]] = set()
        while len(picked) < wanted and len(used) < len(spots):
            progress = False
            for page in order:
                if len(picked) >= wanted:
                    break
                options = [i for i in range(len(by_page[page])) if (page, i) not in used]
                if not options:
                    continue
                i = rng.choice(options)
                used.add((page, i))
                picked.append((page, by_page[page][i]))
                progress = True
            if not progress:
                break
        for page, words in picked:
            owners = where[key_of(words)]
            if any(doc_id != doc.id for doc_id, _ in owners):
                shared += 1
                continue
            runs.append(Run(doc, page, words, {p for d, p in owners if d == doc.id}))
    return runs, shared


# --- the systems under test -----------------------------------------------------------


def search_engine(engine, runs: list[Run], facets: bool) -> list[Outcome]:
    from indexer.errors import QueryError
    from indexer.contract import SearchRequest

    out = []
    for run in runs:
        request = SearchRequest(query=run.query, per_page=CUTOFF, facets=facets, include_internal=True)
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            response = engine.search(request)
        except QueryError as exc:
            out.append(Outcome(None, None, time.perf_counter() - start, time.process_time() - start_cpu, error=str(exc)))
            continue
        cpu, seconds = time.process_time() - start_cpu, time.perf_counter() - start
        out.append(_outcome(run, [(h.id, h.page, h.path) for h in response.hits], seconds, cpu))
    return out


def _outcome(run: Run, hits: list[tuple[str, int | None, str]], seconds: float, cpu: float) -> Outcome:
    top = hits[0][2] if hits else ""
    for rank, (doc_id, page, _path) in enumerate(hits[:CUTOFF], 1):
        if doc_id == run.doc.id:
            return Outcome(rank, page, seconds, cpu, top)
    return Outcome(None, None, seconds, cpu, top)


def search_cli(index_dir: Path, runs: list[Run]) -> list[Outcome]:
    local = Path(sys.executable).parent / "archive"
    command = str(local) if local.exists() else shutil.which("archive")
    if not command:
        raise SystemExit("no `archive` command found (is the package installed in this venv?)")
    out = []
    for run in runs:
        argv = [command, "search", "--index", str(index_dir), "--format", "json", "--limit", str(CUTOFF), "--", run.query]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8")
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        if done.returncode != 0:
            out.append(Outcome(None, None, seconds, cpu, error=done.stderr.strip()[-300:]))
            continue
        hits = json.loads(done.stdout)["hits"]
        out.append(_outcome(run, [(h["id"], h["page"], h["path"]) for h in hits], seconds, cpu))
    return out


class Fts5:
    """The baseline: one FTS5 row per passage, bm25, best passage per document."""

    # bm25() cannot be used inside an aggregate, and SQLite would flatten a plain
    # subquery into one: rank the passages in a materialised CTE, then keep each
    # document's best passage (the bare columns come from the min() row).
    SQL = ("WITH ranked AS MATERIALIZED (SELECT doc_id, page, path, bm25(passages) AS score FROM passages "
           "WHERE passages MATCH ?) SELECT doc_id, page, path, min(score) AS best FROM ranked "
           "GROUP BY doc_id ORDER BY best LIMIT ?")

    def __init__(self, docs: list[Doc]):
        self.db = sqlite3.connect(":memory:")
        if not self.db.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0]:
            raise RuntimeError("this Python's SQLite has no FTS5")
        self.db.execute("CREATE VIRTUAL TABLE passages USING fts5(doc_id UNINDEXED, page UNINDEXED, path UNINDEXED, text, "
                        "tokenize = 'unicode61 remove_diacritics 2')")
        rows = [(d.id, p, d.path, text) for d in docs for p, text in d.passages]
        self.db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?)", rows)
        self.db.commit()

    @staticmethod
    def query(words: list[str]) -> str:
        return " ".join('"' + w.replace('"', '""') + '"' for w in words)

    def search(self, runs: list[Run]) -> list[Outcome]:
        out = []
        for run in runs:
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                hits = self.db.execute(self.SQL, (self.query(run.words), CUTOFF)).fetchall()
            except sqlite3.Error as exc:
                out.append(Outcome(None, None, time.perf_counter() - start, time.process_time() - start_cpu, error=str(exc)))
                continue
            cpu, seconds = time.process_time() - start_cpu, time.perf_counter() - start
            out.append(_outcome(run, [(d, p, path) for d, p, path, _ in hits], seconds, cpu))
        return out


# --- figures ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))
    return ordered[k]


def summary(runs: list[Run], outcomes: list[Outcome]) -> dict:
    n = len(outcomes)
    paged = [(r, o) for r, o in zip(runs, outcomes) if r.page is not None]
    right = sum(1 for r, o in paged if o.rank and o.page in r.pages)
    ms = [1000 * o.seconds for o in outcomes]
    cpu = [1000 * o.cpu for o in outcomes]
    return {
        "queries": n,
        "mrr": sum(o.rr for o in outcomes) / n if n else float("nan"),
        "top1": 100.0 * sum(1 for o in outcomes if o.rank == 1) / n if n else float("nan"),
        "found": 100.0 * sum(1 for o in outcomes if o.rank) / n if n else float("nan"),
        "paged": len(paged),
        "right_page": 100.0 * right / len(paged) if paged else float("nan"),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "cpu50": percentile(cpu, 50),
        "cpu95": percentile(cpu, 95),
        "errors": sum(1 for o in outcomes if o.error),
    }


def table(rows: list[tuple[str, dict]]) -> str:
    lines = ["| system | queries | MRR@10 | top 1 | in top 10 | right page (PDF runs) | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in rows:
        page = f"{s['right_page']:.1f} % of {s['paged']}" if s["paged"] else "-"
        lines.append(f"| {name} | {s['queries']} | **{s['mrr']:.3f}** | {s['top1']:.1f} % | {s['found']:.1f} % | {page} "
                     f"| {s['p50']:.1f} | {s['p95']:.1f} | {s['cpu50']:.1f} | {s['cpu95']:.1f} |")
    return "\n".join(lines)


def page_misses(runs: list[Run], outcomes: list[Outcome]) -> tuple[int, int]:
    """Runs found first but on another page, and how many of those pages also hold all the run's words."""
    wrong = loose = 0
    for run, o in zip(runs, outcomes):
        if run.page is None or not o.rank or o.page in run.pages:
            continue
        wrong += 1
        text = " ".join(t for p, t in run.doc.passages if p == o.page)
        if set(key_of(run.words)) <= set(key_of(words_of(text))):
            loose += 1
    return wrong, loose


def misses(runs: list[Run], outcomes: list[Outcome], limit: int) -> list[str]:
    """The runs where the source document was not first, or the page was wrong."""
    out = []
    for run, o in zip(runs, outcomes):
        wrong_page = run.page is not None and o.rank and o.page not in run.pages
        if o.rank == 1 and not wrong_page:
            continue
        where = f"p. {run.page}" if run.page is not None else "-"
        if o.error:
            what = f"error: {o.error}"
        elif not o.rank:
            what = f"not in top {CUTOFF} (first: {Path(o.top).name or 'no hit'})"
        elif o.rank > 1:
            what = f"rank {o.rank} (first: {Path(o.top).name})"
        else:
            what = f"rank 1, page {o.page}"
        out.append(f"| {run.doc.name} | {where} | `{run.query}` | {what} |")
    head = ["| document | page | query | result |", "|---|---|---|---|"]
    return head + out[:limit] + ([f"| … {len(out) - limit} more | | | |"] if len(out) > limit else [])


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import whoosh

    return (f"{cores} cores (`nproc`){', ' + cpu if cpu else ''}; Python {platform.python_version()}; "
            f"Whoosh {whoosh.versionstring()}; SQLite {sqlite3.sqlite_version}; {platform.system()} {platform.release()}")


# --- docs/SEARCH_EVAL.md: one file, one section per benchmark script -------------------

SECTIONS = ("known-item", "latency", "topical")
DOC_HEAD = """# Search evaluation

Figures written by the benchmark scripts in `bench/`; each script rewrites its
own section. Re-run the commands shown to reproduce them.
"""


def write_section(name: str, body: str, path: Path = DOC) -> None:
    """Replace section ``name`` of the evaluation document, keeping the others."""
    found: dict[str, str] = {}
    if path.exists():
        text = path.read_text(encoding="utf-8")
        for key in SECTIONS:
            m = re.search(rf"<!-- section:{key} -->\n(.*?)<!-- /section:{key} -->\n", text, re.S)
            if m:
                found[key] = m.group(1)
    found[name] = body.rstrip("\n") + "\n"
    parts = [DOC_HEAD]
    for key in SECTIONS:
        if key in found:
            parts.append(f"<!-- section:{key} -->\n{found[key]}<!-- /section:{key} -->\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")


def section(report: dict) -> str:
    return f"""## Known-item search on the public documents

*{report['date']}, {report['machine']}; load average {report['load']} while measuring (the machine is shared: CPU times are the steadier figures).*

**Method.** The {report['files']} PDF and HTML files of `../shared/data/pdf` and
`../shared/data/html` (Readability's `*.expected.html` outputs left out) were
ingested into a fresh temporary index with `indexer.sync.sync` ({report['ingest']}).
{report['failed_text']}
From each of the {report['docs']} indexed documents, runs of {RUN_WORDS} consecutive
words were drawn with seed {report['seed']} from the passages as the index stores
them (`engine.document()`), so each run's page is known: a PDF gets one run per
page, at least {report['per_doc']} and at most {report['cap']}; an HTML page gets
{report['per_doc']}. Words are cut on spaces and stripped of edge punctuation;
a run needs at least 3 words with a letter. {report['shared']} drawn runs also occur
word for word in another document and were left out. That leaves {report['queries']} queries
({report['pdf_queries']} from PDFs).

Each run is searched as typed, **without quotes**:

* **archive (engine)**: `WhooshEngine.open()` once, then `engine.search(SearchRequest(query, per_page=10, facets=False))`
  (hits are documents, each with its best passage, page and snippet).
* **archive (engine, facets)**: the same with `facets=True`, as the CLI and the web page ask.
* **archive (CLI)**: `archive search --index DIR --format json -- QUERY` as a separate process,
  for a sample of {report['cli_n']} runs; the latency is the whole process (start-up included).
* **SQLite FTS5**: one row per passage (doc id, page, text) in an in-memory table with
  `tokenize='unicode61 remove_diacritics 2'`; each word double-quoted, implicit AND;
  `min(bm25())` per document, best first.

MRR@10: mean of 1/rank of the source document among document hits (0 beyond
10). Right page: share of PDF runs whose source-document hit names the page the
words came from (a page holding the same run also counts; not found counts as
wrong). Targets: MRR ≥ {TARGET_MRR}, right page ≥ {TARGET_PAGE:.0f} %.

{report['table']}

{report['by_format']}

{report['page_note']}

Runs the engine did not rank first (or ranked first on another page), at most {report['miss_limit']}:

{report['misses']}

**Command:** `{report['command']}`
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding pdf/ and html/ (default: ../shared/data)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-doc", type=int, default=5, help="runs per document (minimum for PDFs)")
    parser.add_argument("--cap", type=int, default=20, help="most runs per PDF (one per page up to this)")
    parser.add_argument("--cli-queries", type=int, default=30, help="runs also sent through `archive search` (0: none)")
    parser.add_argument("--jobs", type=int, default=None, help="extraction processes (default: all cores)")
    parser.add_argument("--index", type=Path, help="keep the index here instead of a temporary folder (must be new or empty)")
    parser.add_argument("--misses", type=int, default=25, help="misses listed")
    parser.add_argument("--engine", help="the archive's engine: whoosh or opensearch (default: $ARCHIVE_ENGINE, else whoosh)")
    parser.add_argument("--write-docs", action="store_true", help=f"write the results to {DOC.relative_to(ROOT)} (Whoosh only)")
    args = parser.parse_args(argv)

    from indexer import engines
    from indexer.errors import EngineUnavailable

    try:
        engine_name = engines.engine_name(args.engine)
    except EngineUnavailable as exc:
        parser.error(str(exc))
    os.environ["ARCHIVE_ENGINE"] = engine_name  # the ingest, open_engine and `archive search` all follow it
    if args.write_docs and engine_name != "whoosh":
        parser.error(f"--write-docs writes the default engine's figures; {engine_name}'s go to docs/SCALING.md")
    print(f"engine: {engine_name}")
    if not (args.data / "pdf").is_dir() or not (args.data / "html").is_dir():
        print(f"no evaluation data in {args.data} (pdf/ and html/); nothing to evaluate")
        return 0
    files = source_files(args.data)

    from indexer.sync import SyncOptions, sync

    tmp = None
    if args.index:
        index_dir = args.index
    else:
        tmp = tempfile.mkdtemp(prefix="archive-eval-")
        index_dir = Path(tmp) / "index"
    try:
        print(f"ingesting {len(files)} files into {index_dir} ...", flush=True)
        report = sync(files, index_dir, SyncOptions(jobs=args.jobs))
        for path, reason in report.failed:
            print(f"  skipped {Path(path).name}: {reason}")
        ingest = f"{report.documents} documents in {report.seconds:.1f} s; {len(report.failed)} files failed"
        print(ingest)

        engine = engines.open_engine(index_dir)
        docs = load_documents(engine, index_dir)
        runs, shared = draw_runs(docs, args.seed, args.per_doc, args.cap)
        print(f"{len(runs)} queries from {len(docs)} documents ({shared} runs shared with another document left out)", flush=True)

        load = [os.getloadavg()[0]]
        search_engine(engine, runs[:20], facets=True)  # warm-up: caches, first searcher use
        plain = search_engine(engine, runs, facets=False)
        faceted = search_engine(engine, runs, facets=True)
        fts = Fts5(docs)
        fts.search(runs[:20])
        baseline = fts.search(runs)
        cli_runs: list[Run] = []
        cli = []
        if args.cli_queries:
            cli_runs = random.Random(args.seed).sample(runs, min(args.cli_queries, len(runs)))
            print(f"running {len(cli_runs)} queries through `archive search` ...", flush=True)
            cli = search_cli(index_dir, cli_runs)
        load.append(os.getloadavg()[0])
        engine.close()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    rows = [("archive (engine)", summary(runs, plain)), ("archive (engine, facets)", summary(runs, faceted))]
    if cli_runs:
        rows.append(("archive (CLI process, sample)", summary(cli_runs, cli)))
        rows.append(("archive (engine, same sample)", summary(cli_runs, [plain[runs.index(r)] for r in cli_runs])))
    rows.append(("SQLite FTS5 bm25", summary(runs, baseline)))
    main_table = table(rows)

    by_format = []
    for fmt in ("pdf", "html"):
        idx = [i for i, r in enumerate(runs) if r.doc.format == fmt]
        sub = [runs[i] for i in idx]
        if sub:
            by_format.append((f"archive, {fmt} runs", summary(sub, [plain[i] for i in idx])))
            by_format.append((f"FTS5, {fmt} runs", summary(sub, [baseline[i] for i in idx])))
    format_table = table(by_format)

    miss_lines = misses(runs, plain, args.misses)
    fts_miss = misses(runs, baseline, args.misses)
    errors = [o.error for o in plain + baseline + cli if o.error]

    print()
    print(main_table)
    print()
    print(format_table)
    print()
    print("archive misses:")
    print("\n".join(miss_lines))
    print()
    print("FTS5 misses:")
    print("\n".join(fts_miss))
    print(f"\nload average while measuring: {load[0]:.1f} → {load[1]:.1f}")
    if errors:
        print(f"{len(errors)} queries failed with an error, e.g. {errors[0]}")

    if args.write_docs:
        failed = [f"`{Path(p).name}`: {reason}" for p, reason in report.failed]
        wrong, loose = page_misses(runs, plain)
        page_note = (f"Of the {wrong} PDF runs whose document came first but on another page, {loose} came back on a page "
                     "that also holds all five words, only not next to each other (a passage scores on its words; the "
                     "engine's near-phrase boost, where it has one, is what favours the page holding the run itself).")
        info = {
            "date": dt.date.today().isoformat(),
            "load": f"{load[0]:.1f} → {load[1]:.1f}",
            "machine": machine(),
            "files": len(files),
            "ingest": ingest,
            "failed_text": ("Skipped, as expected: " + "; ".join(failed) + ".") if failed else "No file failed.",
            "page_note": page_note,
            "docs": len(docs),
            "seed": args.seed,
            "per_doc": args.per_doc,
            "cap": args.cap,
            "shared": shared,
            "queries": len(runs),
            "pdf_queries": sum(1 for r in runs if r.doc.format == "pdf"),
            "cli_n": len(cli_runs),
            "table": main_table,
            "by_format": format_table,
            "miss_limit": args.misses,
            "misses": "\n".join(miss_lines),
            "command": "python bench/eval_search.py --write-docs",
        }
        write_section("known-item", section(info))
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
