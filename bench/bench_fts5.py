"""The SQLite FTS5 baseline for bench/run.py: the same passages, the same queries, the same four kinds of work.

It extends the known-item baseline of ``eval_search.Fts5`` (one row per
passage, ``unicode61 remove_diacritics 2``, each word double-quoted, implicit
AND, ``min(bm25())`` per document) with what the engine also does on every
query, so that the two are compared on equal work:

* the total: distinct documents matched;
* filters: passage language and document year, as extra conditions on the match;
* facets: documents per year, type and project, and (document, passage language)
  pairs per language, counted in Python from one ``SELECT DISTINCT`` over the match;
* highlights: ``snippet()`` on the best passage of each of the 10 documents shown,
  with the marked words turned into character offsets.

The table is written to a file (not memory) so that its size on disk can be
set against the Whoosh index.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path

from eval_search import Fts5

PER_PAGE = 10
OPEN, CLOSE = "\x02", "\x03"


def passages_of(searcher) -> list[tuple]:
    """(doc_id, page, plang, year, type, projects, text) for every stored passage of the Whoosh index."""
    rows = []
    for _docnum, f in searcher.reader().iter_docs():
        rows.append((f["doc_id"], f.get("page") or 0, f.get("plang", "und"), f.get("year") or 0, f.get("type", "other"),
                     f.get("projects") or "", f.get("text_all", "")))
    return rows


class Baseline:
    def __init__(self, rows: list[tuple], path: Path):
        if path.exists():
            path.unlink()
        started = time.perf_counter()
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE VIRTUAL TABLE passages USING fts5(doc_id UNINDEXED, page UNINDEXED, plang UNINDEXED, "
                        "year UNINDEXED, type UNINDEXED, projects UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2')")
        self.db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.commit()
        self.db.execute("INSERT INTO passages(passages) VALUES ('optimize')")
        self.db.commit()
        self.build_seconds = time.perf_counter() - started
        self.bytes = path.stat().st_size

    @staticmethod
    def match(text: str) -> str:
        return Fts5.query(text.split())

    def search(self, query: dict, facets: bool, highlight: bool, filtered: bool) -> dict:
        where, params = "passages MATCH ?", [self.match(query["query"])]
        if filtered:
            where += " AND plang = ? AND year = ?"
            params += [query["lang"], query["year"]]
        top = self.db.execute(
            f"WITH ranked AS MATERIALIZED (SELECT rowid AS rid, doc_id, page, bm25(passages) AS score FROM passages WHERE {where}) "
            "SELECT doc_id, page, rid, min(score) AS best FROM ranked GROUP BY doc_id ORDER BY best LIMIT ?",
            (*params, PER_PAGE)).fetchall()
        total = self.db.execute(f"SELECT count(DISTINCT doc_id) FROM passages WHERE {where}", params).fetchone()[0]
        out = {"total": total, "hits": top}
        if facets:
            out["facets"] = self._facets(where, params)
        if highlight and top:
            out["snippets"] = self._snippets(params[0], [row[2] for row in top])
        return out

    def _facets(self, where: str, params: list) -> dict:
        rows = self.db.execute(f"SELECT DISTINCT doc_id, plang, year, type, projects FROM passages WHERE {where}", params).fetchall()
        docs = {row[0]: row for row in rows}
        return {
            "lang": dict(Counter(plang for _d, plang in {(r[0], r[1]) for r in rows}).most_common()),
            "year": dict(sorted(Counter(str(r[2]) for r in docs.values() if r[2]).items(), reverse=True)),
            "type": dict(Counter(r[3] for r in docs.values()).most_common()),
            "project": dict(Counter(p for r in docs.values() for p in r[4].split(",") if p).most_common()),
        }

    def _snippets(self, match: str, rowids: list[int]) -> list[tuple[str, list[list[int]]]]:
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(f"SELECT snippet(passages, 6, ?, ?, '…', 32) FROM passages WHERE passages MATCH ? AND rowid IN ({marks})",
                               (OPEN, CLOSE, match, *rowids)).fetchall()
        return [_offsets(text) for (text,) in rows]

    def close(self) -> None:
        self.db.close()


def _offsets(marked: str) -> tuple[str, list[list[int]]]:
    """The snippet without its markers, and the character spans they enclosed."""
    text, spans, start = [], [], None
    length = 0
    for ch in marked:
        if ch == OPEN:
            start = length
        elif ch == CLOSE and start is not None:
            spans.append([start, length])
            start = None
        else:
            text.append(ch)
            length += 1
    return "".join(text), spans


def time_kind(baseline: Baseline, queries: list[dict], warm: list[dict], facets: bool, highlight: bool, filtered: bool) -> dict:
    """Wall and CPU milliseconds per query, shaped like ``bench_search.time_kind``'s result."""
    for query in warm:
        baseline.search(query, facets, highlight, filtered)
    wall, cpu, totals = [], [], []
    for query in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            result = baseline.search(query, facets, highlight, filtered)
        except sqlite3.Error:
            result = {"total": 0}
        cpu.append(1000 * (time.process_time() - start_cpu))
        wall.append(1000 * (time.perf_counter() - start))
        totals.append(result["total"])
    return {"wall": wall, "cpu": cpu, "totals": totals}
