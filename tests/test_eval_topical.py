"""The metrics of bench/eval_topical.py on hand-made rankings whose values are worked out by hand."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from topical_lib import (Judgment, Passage, Query, QueryFileError, Result, load_queries, measure, ndcg,  # noqa: E402
                         page_checks, precision, query_sets, reciprocal_rank, resolve_keys, summarise)


def make_query(**grades: int) -> Query:
    return Query("q", "fr", "query", False, {key: Judgment(grade) for key, grade in grades.items()})


# a answers the query, b and c are relevant, d was judged not relevant.
Q = make_query(a=2, b=1, c=1, d=0)
IDEAL = 2 + 1 / math.log2(3) + 1 / 2  # gains 2, 1, 1 at ranks 1, 2, 3


@pytest.mark.parametrize("ranked, expected", [
    (["a", "b", "c"], 1.0),
    (["a", "c", "b", "d"], 1.0),  # equal grades may swap
    (["b", "x", "a"], (1 + 2 / 2) / IDEAL),  # 1/log2(2) + 0 + 2/log2(4)
    (["x", "a"], (2 / math.log2(3)) / IDEAL),
    (["d", "x"], 0.0),
    ([], 0.0),
    (["x"] * 10 + ["a"], 0.0),  # rank 11 is past the cutoff
])
def test_ndcg(ranked, expected):
    assert ndcg(Q, ranked) == pytest.approx(expected)


def test_ndcg_ideal_counts_judged_documents_never_retrieved():
    query = make_query(a=2, b=2)
    assert ndcg(query, ["a"]) == pytest.approx(2 / (2 + 2 / math.log2(3)))


def test_ndcg_undefined_without_a_relevant_document():
    assert math.isnan(ndcg(make_query(d=0), ["d"]))


@pytest.mark.parametrize("ranked, rr, rr2", [
    (["a", "b"], 1.0, 1.0),
    (["x", "d", "b", "a"], 1 / 3, 1 / 4),
    (["c", "x"], 1.0, 0.0),
    (["x", "y"], 0.0, 0.0),
    (["x"] * 10 + ["a"], 0.0, 0.0),
])
def test_reciprocal_rank(ranked, rr, rr2):
    assert reciprocal_rank(Q, ranked) == pytest.approx(rr)
    assert reciprocal_rank(Q, ranked, min_grade=2) == pytest.approx(rr2)


@pytest.mark.parametrize("ranked, expected", [
    (["a", "x", "b", "d", "c"], 3 / 5),
    (["a", "b", "c", "x", "y", "z"], 3 / 5),
    (["a"], 1 / 5),  # an empty place counts as a miss
    (["x", "y", "z", "w", "v", "a"], 0.0),  # rank 6 is past P@5
])
def test_precision_at_5(ranked, expected):
    assert precision(Q, ranked) == pytest.approx(expected)


def test_page_checks_only_count_relevant_documents_with_pages():
    query = Query("q", "fr", "t", False, {"p.pdf": Judgment(2, frozenset({3, 4})), "o.pdf": Judgment(1),
                                          "z.pdf": Judgment(0, frozenset({1}))})
    hits = [("p.pdf", 4), ("o.pdf", 9), ("z.pdf", 2), ("x.pdf", 1)]
    assert page_checks(query, hits) == (1, 1)
    assert page_checks(query, [("p.pdf", 5)]) == (0, 1)


def test_summarise_pools_pages_and_counts_empty_answers():
    query = Query("q", "fr", "t", False, {"p.pdf": Judgment(2, frozenset({3})), "h.html": Judgment(1)})
    rows = [measure(query, Result([("p.pdf", 3), ("h.html", None)], 0.002)),
            measure(query, Result([("x", None), ("p.pdf", 1)], 0.004)),
            measure(query, Result([], 0.010))]
    s = summarise(rows)
    assert s["queries"] == 3
    assert s["ndcg"] == pytest.approx((1.0 + (2 / math.log2(3)) / (2 + 1 / math.log2(3)) + 0.0) / 3)
    assert s["mrr"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert s["p5"] == pytest.approx((2 / 5 + 1 / 5 + 0) / 3)
    assert s["no_result"] == pytest.approx(100 / 3)
    assert (s["right_page"], s["checked_pages"]) == (pytest.approx(50.0), 2)
    assert s["ms50"] == pytest.approx(4.0)


def test_query_sets_split_languages_and_cross_queries():
    queries = [Query("1", "fr", "t", False, {}), Query("2", "nl", "t", True, {}), Query("3", "fr", "t", False, {})]
    assert query_sets(queries) == [("all", [0, 1, 2]), ("fr", [0, 2]), ("cross", [1])]


def test_load_queries_and_resolve_keys(tmp_path):
    lines = [
        {"id": "fr-1", "lang": "fr", "query": "traite des enfants", "cross": False,
         "judgments": {"corpus/a.pdf": {"grade": 2, "pages": [3]}, "corpus/news.html#1": {"grade": 1},
                       "corpus/b.html#0": {"grade": 1}, "corpus/news.html": {"grade": 1}}},
        {"id": "en-1", "lang": "en", "query": "child trafficking", "cross": True, "judgments": {}},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    queries = load_queries([path])
    assert [q.id for q in queries] == ["fr-1", "en-1"]
    assert queries[0].judgments["corpus/a.pdf"] == Judgment(2, frozenset({3}))
    assert queries[1].cross and queries[1].relevant == 0

    known = {"corpus/a.pdf", "corpus/b.html", "corpus/news.html#0", "corpus/news.html#1"}
    problems = resolve_keys(queries, known)
    assert set(queries[0].judgments) == {"corpus/a.pdf", "corpus/news.html#1", "corpus/b.html", "corpus/news.html"}
    assert problems == ["fr-1: corpus/news.html holds 2 documents: name one as corpus/news.html#N (N from 0)"]


@pytest.mark.parametrize("line, message", [
    ({"id": "x", "query": "q", "judgments": {"a": {"grade": 3}}}, "grade 3"),
    ({"id": "x", "query": " ", "judgments": {}}, "empty query"),
    ({"query": "q"}, "'id'"),
])
def test_load_queries_rejects_bad_lines(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(QueryFileError, match=message):
        load_queries([path])


def test_load_queries_rejects_a_repeated_id(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "query": "x"}\n{"id": "a", "query": "y"}\n', encoding="utf-8")
    with pytest.raises(QueryFileError, match="already used"):
        load_queries([path])


def test_tantivy_baseline_stems_per_language_and_keeps_the_best_page():
    pytest.importorskip("tantivy")
    from topical_lib import TantivyOr

    index = TantivyOr([
        Passage(0, 1, "fr", "Rapport annuel de l'association."),
        Passage(0, 2, "fr", "La protection des enfants victimes de la traite."),
        Passage(1, None, "nl", "Opleiding over kinderhandel voor voogden."),
        Passage(2, None, "und", "Kinderhandel 2021"),
        Passage(3, None, "en", "Training hotel staff."),
    ])
    # "enfants" meets "enfant" through the French stemmer; a document appears once, at its best page.
    assert index.search("Enfant protégé") == [(0, 2)]
    assert sorted(d for d, _ in index.search("kinderhandel")) == [1, 2]
    assert index.search("trained AND staff") == [(3, None)]  # operators are words, not syntax
    assert index.search("!!") == []
