"""The pieces of the topical search evaluation (``bench/eval_topical.py``): the query
files, the metrics over graded judgments, and the tantivy baseline.

Kept apart from the script so that the metrics can be tested on hand-made rankings.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

CUTOFF = 10
#: Grades: 2 answers the query, 1 is relevant, unjudged counts as 0.
GRADES = (0, 1, 2)
LANGS = ("fr", "nl", "en")

_WORD = re.compile(r"\w+")


class QueryFileError(ValueError):
    """A query file that cannot be read: the message names the file and line."""


# --- queries and judgments ---------------------------------------------------------


@dataclass(frozen=True)
class Judgment:
    grade: int
    pages: frozenset[int] = frozenset()


@dataclass
class Query:
    id: str
    lang: str
    text: str
    cross: bool
    judgments: dict[str, Judgment]
    source: str = ""

    @property
    def relevant(self) -> int:
        return sum(1 for j in self.judgments.values() if j.grade >= 1)


def load_queries(files: list[Path]) -> list[Query]:
    """Every query of ``files`` (JSON lines), in file order; a repeated id is an error."""
    queries: list[Query] = []
    seen: dict[str, str] = {}
    for path in files:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                query = _query(json.loads(line), where)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise QueryFileError(f"{where}: {exc}") from None
            if query.id in seen:
                raise QueryFileError(f"{where}: query id {query.id!r} already used at {seen[query.id]}")
            seen[query.id] = where
            queries.append(query)
    return queries


def _query(data: dict, where: str) -> Query:
    judgments = {}
    for key, value in data.get("judgments", {}).items():
        grade = int(value["grade"])
        if grade not in GRADES:
            raise ValueError(f"grade {grade} for {key!r} (expected 0, 1 or 2)")
        judgments[key] = Judgment(grade, frozenset(int(p) for p in value.get("pages") or ()))
    text = str(data["query"]).strip()
    if not text:
        raise ValueError("empty query")
    return Query(str(data["id"]), str(data.get("lang", "")), text, bool(data.get("cross", False)), judgments, where)


def resolve_keys(queries: list[Query], known: set[str]) -> list[str]:
    """Match judgment keys to the index's document keys, in place; the problems found, as lines.

    ``path#0`` names a single-document file too; a bare path that holds several
    documents cannot be resolved (the judge has to say which part)."""
    problems = []
    parts: dict[str, int] = {}
    for key in known:
        if "#" in key:
            base = key.split("#", 1)[0]
            parts[base] = parts.get(base, 0) + 1
    for query in queries:
        resolved = {}
        for key, judgment in query.judgments.items():
            if key not in known and key.endswith("#0") and key[:-2] in known:
                key = key[:-2]
            if key not in known:
                why = (f"holds {parts[key]} documents: name one as {key}#N (N from 0)" if key in parts
                       else "is not in the index")
                problems.append(f"{query.id}: {key} {why}")
            resolved[key] = judgment
        query.judgments = resolved
    return problems


# --- metrics over one ranking ---------------------------------------------------------


def grade_of(query: Query, key: str) -> int:
    judgment = query.judgments.get(key)
    return judgment.grade if judgment else 0


def dcg(gains: list[int], k: int = CUTOFF) -> float:
    """Discounted cumulative gain with linear gains: sum of gain / log2(rank + 1)."""
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains[:k], 1))


def ndcg(query: Query, ranked: list[str], k: int = CUTOFF) -> float:
    """nDCG@k; the ideal ranking puts every judged document of the query in grade order."""
    ideal = dcg(sorted((j.grade for j in query.judgments.values()), reverse=True), k)
    if ideal == 0:
        return float("nan")
    return dcg([grade_of(query, key) for key in ranked], k) / ideal


def reciprocal_rank(query: Query, ranked: list[str], min_grade: int = 1, k: int = CUTOFF) -> float:
    """1 / rank of the first document graded ``min_grade`` or more in the top k, else 0."""
    for rank, key in enumerate(ranked[:k], 1):
        if grade_of(query, key) >= min_grade:
            return 1.0 / rank
    return 0.0


def precision(query: Query, ranked: list[str], k: int = 5) -> float:
    """Share of the first k places holding a relevant document (an empty place counts as a miss)."""
    return sum(1 for key in ranked[:k] if grade_of(query, key) >= 1) / k


def page_checks(query: Query, hits: list[tuple[str, int | None]], k: int = CUTOFF) -> tuple[int, int]:
    """(right, checked) over the top-k hits on relevant documents whose judgment names pages."""
    right = checked = 0
    for key, page in hits[:k]:
        judgment = query.judgments.get(key)
        if judgment and judgment.grade >= 1 and judgment.pages:
            checked += 1
            right += page in judgment.pages
    return right, checked


# --- one system's answers and their figures --------------------------------------------


@dataclass
class Result:
    """One system's answer to one query: document hits, best first, each with its best passage's page."""

    hits: list[tuple[str, int | None]]
    seconds: float
    cpu: float = 0.0  # CPU seconds: steadier than wall time on a busy machine
    error: str = ""

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.hits]


def measure(query: Query, result: Result) -> dict:
    ranked = result.keys[:CUTOFF]
    right, checked = page_checks(query, result.hits)
    return {
        "ndcg": ndcg(query, ranked),
        "rr": reciprocal_rank(query, ranked),
        "rr2": reciprocal_rank(query, ranked, min_grade=2),
        "p5": precision(query, ranked),
        "empty": not result.hits,
        "right_pages": right,
        "checked_pages": checked,
        "ms": 1000 * result.seconds,
        "cpu_ms": 1000 * result.cpu,
        "error": result.error,
    }


def summarise(rows: list[dict]) -> dict:
    """Means over queries (right page pooled over all checked hits), median latency."""
    n = len(rows)

    def mean(name: str) -> float:
        values = [r[name] for r in rows if not math.isnan(r[name])]
        return sum(values) / len(values) if values else float("nan")

    checked = sum(r["checked_pages"] for r in rows)
    return {
        "queries": n,
        "ndcg": mean("ndcg"),
        "mrr": mean("rr"),
        "mrr2": mean("rr2"),
        "p5": mean("p5"),
        "no_result": 100.0 * sum(r["empty"] for r in rows) / n if n else float("nan"),
        "right_page": 100.0 * sum(r["right_pages"] for r in rows) / checked if checked else float("nan"),
        "checked_pages": checked,
        "ms50": statistics.median(r["ms"] for r in rows) if rows else float("nan"),
        "cpu50": statistics.median(r["cpu_ms"] for r in rows) if rows else float("nan"),
        "errors": sum(1 for r in rows if r["error"]),
    }


def query_sets(queries: list[Query]) -> list[tuple[str, list[int]]]:
    """The sets reported: all queries, each language's same-language queries, the cross-language ones."""
    sets = [("all", list(range(len(queries))))]
    for lang in LANGS:
        sets.append((lang, [i for i, q in enumerate(queries) if q.lang == lang and not q.cross]))
    sets.append(("cross", [i for i, q in enumerate(queries) if q.cross]))
    return [(name, idx) for name, idx in sets if idx]


# --- the tantivy baseline -------------------------------------------------------------------


@dataclass
class Passage:
    doc: int  # index into the caller's document list
    page: int | None
    lang: str
    text: str


@dataclass
class TantivyOr:
    """One tantivy document per passage, its text in the field of its language (stemmed,
    stop words removed, lowercased and folded) or in a plain field; the query's words ORed
    over all fields, BM25; a document scores as its best passage."""

    passages: list[Passage]
    fields: dict[str, str] = field(default_factory=lambda: {"fr": "text_fr", "nl": "text_nl", "en": "text_en"})
    plain: str = "text_plain"

    def __post_init__(self):
        import tantivy

        stemmer = {"fr": "french", "nl": "dutch", "en": "english"}
        builder = tantivy.SchemaBuilder()
        for name in [*self.fields.values(), self.plain]:
            builder.add_text_field(name, tokenizer_name=name, index_option="freq")
        builder.add_unsigned_field("row", fast=True)  # read back as a column, without fetching documents
        self.index = tantivy.Index(builder.build())  # in memory
        for lang, name in self.fields.items():
            self.index.register_tokenizer(name, (
                tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
                # Stop words before folding: the lists are accented ("été").
                .filter(tantivy.Filter.stopword(stemmer[lang])).filter(tantivy.Filter.ascii_fold())
                .filter(tantivy.Filter.stemmer(stemmer[lang])).build()))
        self.index.register_tokenizer(self.plain, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                                      .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())
        writer = self.index.writer(num_threads=1)
        for row, passage in enumerate(self.passages):
            name = self.fields.get(passage.lang, self.plain)
            doc = tantivy.Document()
            doc.add_text(name, passage.text)
            doc.add_unsigned("row", row)  # an int given to Document() would be typed i64
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, text: str, k: int = CUTOFF) -> list[tuple[int, int | None]]:
        """(document, page of its best passage) for the top k documents."""
        # Lower-cased words only: the query language's operators (AND, OR, quotes,
        # field:value) must not change what a typed query means.
        words = _WORD.findall(text.lower())
        if not words:
            return []
        names = [*self.fields.values(), self.plain]
        query = self.index.parse_query(" ".join(words), names, conjunction_by_default=False)
        limit = 16 * k
        while True:
            found = self.searcher.search(query, limit, count=False).hits
            rows = self.searcher.fast_field_values("row", [address for _score, address in found])
            best: dict[int, int | None] = {}
            for row in rows:
                passage = self.passages[row]
                best.setdefault(passage.doc, passage.page)
                if len(best) == k:
                    return list(best.items())
            if len(found) < limit:
                return list(best.items())
            limit *= 4


def tantivy_version() -> str:
    try:
        from importlib.metadata import version

        return version("tantivy")
    except Exception:  # not installed
        return ""
