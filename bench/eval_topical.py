"""Topical search evaluation: natural queries with graded judgments, the archive against three baselines.

    python bench/eval_topical.py [--queries FILE...] [--data DIR] [--index DIR] [--systems archive,fts5-or]
                                 [--engine whoosh|opensearch] [--verbose] [--unjudged] [--json OUT] [--write-docs]

The collection is the bundled corpus (``corpus/``, ingested as a folder, so
``projects.toml`` and sidecars apply) plus ``DIR/html/*.html`` (not
``*.expected.html``) and ``DIR/pdf/*.pdf``, DIR defaulting to ../shared/data.
It is ingested into a temporary index, or into ``--index DIR`` (kept, and
reused as it is when it already holds a current index).

The queries are every ``bench/topical/*.jsonl`` (or ``--queries``): one JSON
object a line with ``id``, ``lang``, ``query``, ``cross`` and ``judgments``
(document key -> ``{"grade": 2|1|0, "pages": [...]}``). A document key is
``corpus/<path>``, ``data/html/<file>`` or ``data/pdf/<file>``, plus ``#N`` for
part N (from 0) of a file holding several documents.

Systems, on the same passages (one row per passage as the index holds it, the
title with the first one; a document scores as its best passage):

* ``archive``: the engine in-process, ``cross_language`` set for cross queries; ``--engine``
  (default ``$ARCHIVE_ENGINE``, else whoosh) chooses which, e.g. ``--engine opensearch`` with
  ``ARCHIVE_OPENSEARCH_URL`` (the index folder then keeps the manifest and extraction cache,
  the documents are in the cluster);
* ``fts5-and`` / ``fts5-or``: SQLite FTS5 (``unicode61 remove_diacritics 2``),
  each word double-quoted, implicit AND or OR, ranked by ``bm25()``;
* ``tantivy-or``: tantivy, one stemmed field per language, the words ORed over all fields.

Baselines run cross-language queries as typed. Metrics over document hits,
cutoff 10: nDCG@10 (gains 2/1, ideal from every judged document), MRR (first
grade >= 1) and MRR on grade 2, P@5, share of queries with no result, right
page (top-10 hits on relevant documents whose judgment names pages), median latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import eval_search as known  # also puts the repository on sys.path
from topical_lib import (CUTOFF, Passage, Query, QueryFileError, Result, TantivyOr, grade_of, load_queries, measure,
                         query_sets, resolve_keys, summarise, tantivy_version)

ROOT = known.ROOT
DOC = known.DOC
QUERY_DIR = ROOT / "bench" / "topical"
SYSTEMS = ("archive", "fts5-and", "fts5-or", "tantivy-or")
SECTION = "topical"
WARM_UP = 5


@dataclass
class Doc:
    id: str
    key: str
    path: str
    title: str
    format: str
    lang: str
    passages: list[tuple[int | None, str, str]]  # (page, language, text) as indexed


def file_key(path: str, data: Path) -> str:
    p = Path(path).resolve()
    for root, prefix in ((ROOT / "corpus", "corpus"), (data.resolve(), "data")):
        if p.is_relative_to(root):
            return f"{prefix}/{p.relative_to(root).as_posix()}"
    return p.as_posix()


def load_documents(index_dir: Path, data: Path) -> list[Doc]:
    """Every document of the index with its passages: Whoosh's stored fields, or any other
    engine's ``document()`` for each id of the manifest."""
    from indexer import engines

    if engines.engine_name() != "whoosh":
        return load_documents_contract(index_dir, data)
    from indexer.whoosh import index as whoosh_index
    from indexer.whoosh.schema import indexed_neutral_text

    grouped: dict[str, list[dict]] = {}
    with whoosh_index.open_index(index_dir).searcher() as searcher:
        for stored in searcher.all_stored_fields():
            grouped.setdefault(stored["doc_id"], []).append(stored)
    per_file: dict[str, int] = {}
    for rows in grouped.values():
        per_file[rows[0]["path"]] = per_file.get(rows[0]["path"], 0) + 1
    docs = []
    for doc_id, rows in grouped.items():
        rows.sort(key=lambda r: r.get("seq", 0))
        first = rows[0]
        key = file_key(first["path"], data)
        if per_file[first["path"]] > 1:
            key += f"#{first.get('part', 0)}"
        passages = [(r.get("page") or None, r.get("plang") or "und", indexed_neutral_text(r)) for r in rows]
        docs.append(Doc(doc_id, key, first["path"], first.get("title") or "", first.get("format", ""),
                        first.get("doc_lang", ""), passages))
    return sorted(docs, key=lambda d: d.key)


def load_documents_contract(index_dir: Path, data: Path) -> list[Doc]:
    """The same documents through the engine contract; the first passage's text starts with the
    title, as both engines index it."""
    from indexer import engines, store

    engine = engines.open_engine(index_dir)
    docs = []
    try:
        for path, entry in sorted(store.read_manifest(index_dir).items()):
            ids = entry.get("ids", [])
            for part, doc_id in enumerate(ids):
                view = engine.document(doc_id, include_internal=True)
                if view is None:
                    continue
                key = file_key(view.path, data) + (f"#{part}" if len(ids) > 1 else "")
                passages = [(p.page or None, p.lang or "und", f"{view.title}\n\n{p.text}" if i == 0 and view.title else p.text)
                            for i, p in enumerate(view.passages)]
                docs.append(Doc(doc_id, key, view.path, view.title, view.format, view.lang, passages))
    finally:
        engine.close()
    return sorted(docs, key=lambda d: d.key)


def prepare_index(args) -> tuple[Path, str | None]:
    """The index to search (ingested unless --index holds a current one) and the temporary folder to remove."""
    from indexer import engines, store
    from indexer.whoosh import index as whoosh_index
    from indexer.sync import SyncOptions, sync

    if args.index and engines.is_current(args.index):
        print(f"using the index in {args.index} as it is (no ingest)")
        return args.index, None
    tmp = None if args.index else tempfile.mkdtemp(prefix="archive-topical-")
    index_dir = args.index or Path(tmp) / "index"
    # The corpus folder first: the nearest projects.toml is looked up from the first path.
    files = [ROOT / "corpus", *known.source_files(args.data)]
    print(f"ingesting corpus/ and {len(files) - 1} files of {args.data} into {index_dir} ...", flush=True)
    report = sync(files, index_dir, SyncOptions(jobs=args.jobs))
    for path, reason in report.failed:
        print(f"  skipped {Path(path).name}: {reason}")
    print(f"{report.documents} documents in {report.seconds:.1f} s")
    return index_dir, tmp


# --- the systems ------------------------------------------------------------------------


def timed(search, queries: list[Query]) -> list[Result]:
    for query in queries[:WARM_UP]:  # caches, first use of each structure
        try:
            search(query)
        except Exception:  # counted in the measured run below
            pass
    out = []
    for query in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            hits, error = search(query), ""
        except Exception as exc:  # one failing query must not stop the run: it is counted and shown
            hits, error = [], f"{type(exc).__name__}: {exc}"
        out.append(Result(hits, time.perf_counter() - start, time.process_time() - start_cpu, error))
    return out


def archive_search(engine, by_id: dict[str, Doc]):
    from indexer.contract import SearchRequest

    def search(query: Query) -> list[tuple[str, int | None]]:
        # As the CLI and the web page ask (facets included): the latency is a real search's.
        request = SearchRequest(query=query.text, per_page=CUTOFF, cross_language=query.cross, include_internal=True)
        return [(by_id[h.id].key if h.id in by_id else h.path, h.page) for h in engine.search(request).hits]

    return search


def fts5_search(fts: known.Fts5, by_id: dict[str, Doc], joiner: str):
    def search(query: Query) -> list[tuple[str, int | None]]:
        words = known.words_of(query.text)
        if not words:
            return []
        match = joiner.join(known.Fts5.query([w]) for w in words)
        rows = fts.db.execute(known.Fts5.SQL, (match, CUTOFF)).fetchall()
        return [(by_id[doc_id].key, page) for doc_id, page, _path, _score in rows]

    return search


def tantivy_search(index: TantivyOr, docs: list[Doc]):
    def search(query: Query) -> list[tuple[str, int | None]]:
        return [(docs[d].key, page) for d, page in index.search(query.text)]

    return search


def run_systems(names: list[str], docs: list[Doc], queries: list[Query], index_dir: Path) -> dict[str, list[Result]]:
    from indexer.engines import open_engine

    by_id = {d.id: d for d in docs}
    results: dict[str, list[Result]] = {}
    if "archive" in names:
        engine = open_engine(index_dir)
        if any(q.cross for q in queries) and not engine.cross_language:
            print("warning: the engine has no glossary: cross-language queries run as typed")
        results["archive"] = timed(archive_search(engine, by_id), queries)
        engine.close()
    if "fts5-and" in names or "fts5-or" in names:
        rows = [known.Doc(d.id, d.path, d.format, d.lang, [(page, text) for page, _lang, text in d.passages]) for d in docs]
        fts = known.Fts5(rows)
        for name, joiner in (("fts5-and", " "), ("fts5-or", " OR ")):
            if name in names:
                results[name] = timed(fts5_search(fts, by_id, joiner), queries)
    if "tantivy-or" in names:
        try:
            index = TantivyOr([Passage(i, page, lang, text) for i, d in enumerate(docs) for page, lang, text in d.passages])
        except (ImportError, AttributeError, ValueError) as exc:
            hint = " (pip install tantivy==0.27.0)" if isinstance(exc, ImportError) else ""
            print(f"tantivy-or left out: {type(exc).__name__}: {exc}{hint}")
        else:
            results["tantivy-or"] = timed(tantivy_search(index, docs), queries)
    return results


# --- figures -----------------------------------------------------------------------------


def figures(queries: list[Query], results: dict[str, list[Result]]) -> tuple[dict, dict]:
    """Per-query measures, and summaries by query set then system."""
    per_query = {name: [measure(q, r) for q, r in zip(queries, res)] for name, res in results.items()}
    sets = {}
    for set_name, idx in query_sets(queries):
        sets[set_name] = {name: summarise([rows[i] for i in idx]) for name, rows in per_query.items()}
    return per_query, sets


def _num(value: float, fmt: str) -> str:
    return "-" if math.isnan(value) else format(value, fmt)


SET_LABELS = {"all": "all", "fr": "fr", "nl": "nl", "en": "en", "cross": "cross-language"}


def table(sets: dict) -> str:
    lines = ["| queries | system | n | nDCG@10 | MRR | MRR (grade 2) | P@5 | no result | right page | p50 ms | CPU p50 ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for set_name, systems in sets.items():
        for name, s in systems.items():
            page = f"{_num(s['right_page'], '.1f')} % of {s['checked_pages']}" if s["checked_pages"] else "-"
            lines.append(f"| {SET_LABELS[set_name]} | {name} | {s['queries']} | {_num(s['ndcg'], '.3f')} | {_num(s['mrr'], '.3f')} "
                         f"| {_num(s['mrr2'], '.3f')} | {_num(s['p5'], '.3f')} | {_num(s['no_result'], '.1f')} % | {page} "
                         f"| {_num(s['ms50'], '.2f')} | {_num(s['cpu50'], '.2f')} |")
    return "\n".join(lines)


def label(q: Query) -> str:
    return f"[{q.lang}{' cross' if q.cross else ''}] {q.text}"


def verbose_lines(queries: list[Query], results: dict, per_query: dict) -> list[str]:
    shown = [n for n in ("archive", "fts5-or") if n in results] or list(results)[:2]
    lines = []
    for i, q in enumerate(queries):
        scores = "  ".join(f"{n} {_num(per_query[n][i]['ndcg'], '.3f')}" for n in shown)
        top = ", ".join(f"{k}({grade_of(q, k)})" for k in results[shown[0]][i].keys[:3]) or "no result"
        error = f"  ERROR {results[shown[0]][i].error}" if results[shown[0]][i].error else ""
        lines.append(f"{q.id:8} {label(q):50.50}  {scores}  top 3 ({shown[0]}): {top}{error}")
    return lines


def unjudged_lines(queries: list[Query], results: list[Result], docs: list[Doc], k: int = 5) -> list[str]:
    titles = {d.key: d.title for d in docs}
    lines = []
    for q, r in zip(queries, results):
        for rank, key in enumerate(r.keys[:k], 1):
            if key not in q.judgments:
                lines.append(f"{q.id:8} rank {rank}  {key}  “{titles.get(key, '')[:60]}”  <- {q.text}")
    return lines


# --- docs/SEARCH_EVAL.md -------------------------------------------------------------------


def write_section(body: str, path: Path = DOC) -> None:
    """Replace this script's section of the evaluation document (appended when absent), keeping the rest."""
    text = path.read_text(encoding="utf-8") if path.exists() else known.DOC_HEAD
    block = f"<!-- section:{SECTION} -->\n{body.rstrip()}\n<!-- /section:{SECTION} -->\n"
    pattern = re.compile(rf"<!-- section:{SECTION} -->\n.*?<!-- /section:{SECTION} -->\n", re.S)
    text = pattern.sub(lambda _m: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def section(info: dict) -> str:
    files = ", ".join(f"`{f}`" for f in info["files"])
    return f"""## Topical search

*{info['date']}, commit `{info['commit']}`; {info['machine']}; tantivy {info['tantivy'] or 'not installed'}.*

**Method.** {info['queries']} queries ({info['langs']}; {info['cross']} cross-language) from {files},
each with graded judgments (2 answers the query, 1 relevant, unjudged 0), over {info['docs']} documents:
the bundled `corpus/` ingested as a folder and the PDF and HTML files of `../shared/data`.
Every system searches the same passages (one per PDF page or paragraph chunk, as the index
holds them, the title with the first); a document scores as its best passage; cutoff {CUTOFF}.

* **archive**: `open_engine(index)` then `engine.search(SearchRequest(query, per_page=10, cross_language=cross, include_internal=True))`.
* **fts5-and**, **fts5-or**: SQLite FTS5, `unicode61 remove_diacritics 2`, each word double-quoted,
  implicit AND or joined with OR, `min(bm25())` per document.
* **tantivy-or**: tantivy, one field per language (lowercase, stop words, ASCII folding,
  Snowball stemmer; unknown language: a plain folded field), the words ORed over all fields, BM25.

Baselines run cross-language queries as typed. nDCG@10 with gains 2/1, the ideal ranking made
of every judged document; MRR on the first document of grade ≥ 1, and on grade 2; P@5 (grade ≥ 1);
no result: share of queries with no hit; right page: top-10 hits on relevant documents whose
judgment names pages, share on one of them; p50: median latency in process (wall and CPU time;
the machine is shared, CPU time is the steadier figure). Rows by language
hold the same-language queries; cross-language queries have their own rows.

{info['table']}

{info['notes']}

**Command:** `python bench/eval_topical.py --write-docs`
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=known.DEFAULT_DATA, help="folder holding pdf/ and html/ (default: ../shared/data)")
    parser.add_argument("--index", type=Path, help="reuse the index in DIR (ingested there and kept when DIR holds none)")
    parser.add_argument("--queries", type=Path, nargs="+", help="query files (default: bench/topical/*.jsonl)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated subset of {', '.join(SYSTEMS)}")
    parser.add_argument("--jobs", type=int, default=None, help="extraction processes (default: all cores)")
    parser.add_argument("--verbose", action="store_true", help="one line per query")
    parser.add_argument("--unjudged", action="store_true", help="list unjudged documents in the archive's top 5")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every figure and ranking as JSON")
    parser.add_argument("--engine", help="the archive's engine: whoosh or opensearch (default: $ARCHIVE_ENGINE, else whoosh)")
    parser.add_argument("--write-docs", action="store_true", help=f"write the results to {DOC.relative_to(ROOT)} (Whoosh only)")
    args = parser.parse_args(argv)

    from indexer import engines
    from indexer.errors import EngineUnavailable

    try:
        engine = engines.engine_name(args.engine)
    except EngineUnavailable as exc:
        parser.error(str(exc))
    os.environ["ARCHIVE_ENGINE"] = engine  # the ingest, the loader and open_engine all follow it
    if args.write_docs and engine != "whoosh":
        parser.error(f"--write-docs writes the default engine's figures; {engine}'s go to docs/SCALING.md")
    print(f"engine: {engine}")
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown or not systems:
        parser.error(f"unknown systems {', '.join(unknown) or '(none)'}: choose from {', '.join(SYSTEMS)}")
    if not (args.data / "pdf").is_dir() or not (args.data / "html").is_dir():
        print(f"no evaluation data in {args.data} (pdf/ and html/); nothing to evaluate")
        return 0
    files = args.queries or sorted(QUERY_DIR.glob("*.jsonl"))
    if not files:
        print(f"no query files: none in {QUERY_DIR.relative_to(ROOT)}/*.jsonl and no --queries", file=sys.stderr)
        return 1
    try:
        queries = load_queries(files)
    except (OSError, QueryFileError) as exc:
        print(f"cannot read the queries: {exc}", file=sys.stderr)
        return 1

    index_dir, tmp = prepare_index(args)
    try:
        docs = load_documents(index_dir, args.data)
        problems = resolve_keys(queries, {d.key for d in docs})
        scored = [q for q in queries if q.relevant]
        print(f"{len(queries)} queries from {len(files)} files; {len(docs)} documents", flush=True)
        if len(scored) < len(queries):
            print("left out, no relevant document judged: " + ", ".join(q.id for q in queries if not q.relevant))
        queries = scored
        results = run_systems(systems, docs, queries, index_dir)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    per_query, sets = figures(queries, results)
    main_table = table(sets)
    if problems:
        print(f"\n{len(problems)} judgment keys do not name an indexed document:")
        print("\n".join("  " + p for p in problems))
    if args.verbose:
        print()
        print("\n".join(verbose_lines(queries, results, per_query)))
    unjudged = unjudged_lines(queries, results["archive"], docs) if "archive" in results else []
    if args.unjudged:
        print(f"\nunjudged documents in the archive's top 5 ({len(unjudged)}):")
        print("\n".join(unjudged) or "  none")
    print()
    print(main_table)
    errors = [(n, r.error) for n, res in results.items() for r in res if r.error]
    if errors:
        print(f"\n{len(errors)} searches failed, e.g. {errors[0][0]}: {errors[0][1]}")

    info = {"date": dt.date.today().isoformat(), "commit": commit(), "engine": engine, "machine": known.machine(), "tantivy": tantivy_version()}
    if args.json:
        out = dict(info, files=[str(f) for f in files], documents=len(docs), judgment_problems=problems, summary=sets,
                   queries=[{"id": q.id, "lang": q.lang, "cross": q.cross, "query": q.text,
                             "systems": {n: dict(per_query[n][i], hits=[list(h) for h in results[n][i].hits])
                                         for n in results}} for i, q in enumerate(queries)])
        args.json.write_text(json.dumps(_no_nan(out), indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"\nwrote {args.json}")
    if args.write_docs:
        langs = ", ".join(f"{sum(1 for q in queries if q.lang == l)} {l}" for l in ("fr", "nl", "en"))
        notes = (f"{len(unjudged)} unjudged documents appear in the archive's top 5 (`--unjudged` lists them); "
                 f"{len(problems)} judgment keys name no indexed document.")
        info.update(queries=len(queries), langs=langs, cross=sum(q.cross for q in queries), docs=len(docs),
                    files=[str(f.resolve().relative_to(ROOT)) if f.resolve().is_relative_to(ROOT) else f.name for f in files],
                    table=main_table, notes=notes)
        write_section(section(info))
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0


def _no_nan(value):
    """NaN (a mean over nothing) as null: JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_no_nan(v) for v in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
