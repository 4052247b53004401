"""The archive's query language (search/query.py) and document-level ranking (search/ranking.py)."""

from __future__ import annotations

import numpy as np
import pytest

from indexer import query as tree
from indexer.errors import QueryError
from indexer.query import MUST, MUST_NOT, SHOULD, AnyOf, Filter, Phrase, Term, parse
from indexer.ranking import ClauseMatches, combine
from indexer.whoosh.evaluator import Matches


def clauses(text: str) -> list[tuple[str, object]]:
    return [(c.occur, c.node) for c in parse(text).query.clauses]


@pytest.mark.parametrize("text, expected", [
    ("traite enfants", [(SHOULD, Term("traite")), (SHOULD, Term("enfants"))]),
    ("traite AND enfants", [(MUST, Term("traite")), (MUST, Term("enfants"))]),
    ("+traite enfants", [(MUST, Term("traite")), (SHOULD, Term("enfants"))]),
    ("traite -tourisme", [(SHOULD, Term("traite")), (MUST_NOT, Term("tourisme"))]),
    ("traite NOT tourisme", [(SHOULD, Term("traite")), (MUST_NOT, Term("tourisme"))]),
    ("kinderhandel OR trafficking", [(SHOULD, AnyOf((Term("kinderhandel"), Term("trafficking"))))]),
    ('"traite des enfants"~2', [(SHOULD, Phrase(("traite", "des", "enfants"), None, 3))]),
    ("title:rapport", [(SHOULD, Term("rapport", "title"))]),
    ("exact:enfant", [(SHOULD, Term("enfant", "exact"))]),
    ("lang:FR year:2019 type:Report", [(MUST, Filter("lang", "fr")), (MUST, Filter("year", "2019")), (MUST, Filter("type", "report"))]),
    ("enfan* enfnts~1", [(SHOULD, Term("enfan", prefix=True)), (SHOULD, Term("enfnts", fuzzy=1))]),
    ("Make-IT-Safe", [(SHOULD, Phrase(("Make", "IT", "Safe"), None, 1, quoted=False))]),
    ("rock and roll", [(SHOULD, Term("rock")), (SHOULD, Term("and")), (SHOULD, Term("roll"))]),  # lower case: words
    # A sign or a field right before a quote or a parenthesis applies to it.
    ('title:"traite des enfants"', [(SHOULD, Phrase(("traite", "des", "enfants"), "title"))]),
    ('traite -"êtres humains"', [(SHOULD, Term("traite")), (MUST_NOT, Phrase(("êtres", "humains")))]),
    ('+"la traite" tuteurs', [(MUST, Phrase(("la", "traite"))), (SHOULD, Term("tuteurs"))]),
    ('project:"Je dis STOP"', [(MUST, Filter("project", "je dis stop"))]),
    ('-project:"Je dis STOP" x', [(MUST_NOT, Filter("project", "je dis stop")), (SHOULD, Term("x"))]),
    ("title:(traite OR enfants)", [(SHOULD, tree.Group((tree.Clause(SHOULD, AnyOf((Term("traite", "title"), Term("enfants", "title")))),)))]),
    ("-(a b) c", [(MUST_NOT, tree.Group((tree.Clause(SHOULD, Term("a")), tree.Clause(SHOULD, Term("b"))))), (SHOULD, Term("c"))]),
    ('foo:"a b"', [(SHOULD, Term("foo")), (SHOULD, Phrase(("a", "b")))]),  # not a field: a word
])
def test_parse(text, expected):
    assert clauses(text) == expected


@pytest.mark.parametrize("text, notice", [
    ("traite AND", "ignored AND with nothing after it"),
    ("OR traite", "ignored OR with nothing before it"),
    ("traite NOT", "ignored NOT with nothing after it"),
    ('"traite des enfants', "closed an unclosed quote"),
    ("(traite enfants", "closed an unclosed '('"),
    ("traite enfants)", "ignored an unmatched ')'"),
    ("traite title:", "ignored title: with no value after it"),
    ('traite project:""', "ignored project: with no value after it"),
    ("traite lang:(fr OR nl)", "ignored lang:( ... ): write lang:a OR lang:b"),
])
def test_a_dangling_operator_is_dropped_with_a_notice_never_searched_as_a_word(text, notice):
    parsed = parse(text)
    assert notice in [str(n) for n in parsed.notices]
    words = tree.words_of(parsed.query)
    assert "AND" not in words and "NOT" not in words and "OR" not in words and "title" not in words


@pytest.mark.parametrize("text", ["NOT", "AND", "title:", "-", '""', "( )", "OR AND"])
def test_a_query_with_nothing_to_search_for_is_an_error(text):
    with pytest.raises(QueryError, match="no words to search for") as caught:
        parse(text)
    assert caught.value.key == "query_no_words"


def test_the_empty_query_and_exclusions_alone_match_everything():
    assert parse("").query.everything and parse("*").query.everything
    only_not = parse("-tourisme").query
    assert only_not.everything and only_not.of(MUST_NOT) == [Term("tourisme")]


# --- ranking ----------------------------------------------------------------------


def m(pairs: dict[int, float]) -> Matches:
    ids = np.array(sorted(pairs), dtype=np.int64)
    return Matches(ids, np.array([pairs[i] for i in ids], dtype=np.float64))


# passages 0-1: document 0; 2-3: document 1; 4: document 2; 5: document 3
DOC_OF = np.array([0, 0, 1, 1, 2, 3])


def ranked(found: Matches) -> list[int]:
    """Documents, best first (best passage each)."""
    best: dict[int, float] = {}
    for pid, score in zip(found.ids, found.scores):
        doc = int(DOC_OF[pid])
        best[doc] = max(best.get(doc, 0.0), float(score))
    return sorted(best, key=lambda d: -best[d])


def test_every_word_on_one_page_beats_the_words_spread_over_a_document_which_beats_some_words():
    a = ClauseMatches(SHOULD, m({0: 1.0, 2: 1.0, 4: 1.2}), weight=1.0)
    b = ClauseMatches(SHOULD, m({0: 1.0, 3: 1.0}), weight=1.0)
    assert ranked(combine([a, b], DOC_OF)) == [0, 1, 2]


def test_a_document_with_any_word_qualifies_and_rare_words_weigh_more():
    common = ClauseMatches(SHOULD, m({0: 2.0, 2: 2.0}), weight=0.5)
    rare = ClauseMatches(SHOULD, m({4: 1.0}), weight=3.0)
    found = combine([common, rare], DOC_OF)
    assert set(DOC_OF[found.ids]) == {0, 1, 2}
    assert ranked(found)[0] == 2  # missing the rare word costs more than missing the common one


def test_required_and_excluded_clauses_apply_to_the_whole_document():
    required = ClauseMatches(MUST, m({1: 1.0, 2: 1.0}))
    optional = ClauseMatches(SHOULD, m({0: 5.0, 4: 5.0}))
    excluded = ClauseMatches(MUST_NOT, m({3: 0.0}))
    found = combine([required, optional, excluded], DOC_OF)
    # Document 0 holds the required word on another page than the optional one: it qualifies.
    # Document 1 holds an excluded word on one of its pages: it is out. Document 2 lacks the required one.
    assert set(DOC_OF[found.ids]) == {0}


def test_only_exclusions_keep_every_other_document():
    everything = m({i: 0.0 for i in range(6)})
    found = combine([ClauseMatches(MUST_NOT, m({4: 1.0}))], DOC_OF, everything)
    assert set(DOC_OF[found.ids]) == {0, 1, 3}


@pytest.mark.parametrize("text, word, new, expected", [
    ("hotell -hotell", "hotell", "hotel", "hotel -hotell"),
    ("hotell NOT hotell", "hotell", "hotel", "hotel NOT hotell"),
    ("e-hotell (hotell)", "hotell", "hotel", "e-hotel (hotel)"),
    ('"la hotell" title:hotell', "hotell", "hotel", '"la hotel" title:hotel'),
    ("hotells", "hotell", "hotel", "hotells"),
])
def test_replace_word_corrects_only_the_words_searched_for(text, word, new, expected):
    assert tree.replace_word(text, word, new) == expected
