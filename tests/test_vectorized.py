"""The array evaluator gives Whoosh's own answers: same passages, same scores, same order.

A corpus of a few hundred passages is written in several commits (so the index
has several segments) and some of it deleted; every query is then run both
ways, through Whoosh's matchers and collector and through search/vectorized.py,
with and without the saved arrays of frequent terms.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from whoosh import query as q
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser
from whoosh.qparser.plugins import FieldAliasPlugin

from indexer.whoosh import index as whoosh_index
from indexer.contract import SearchRequest
from indexer.sync import SyncOptions, sync
from indexer.whoosh import engine as engine_module
from indexer.whoosh import evaluator as vectorized
from indexer.whoosh import postings
from indexer.whoosh.schema import NEUTRAL_FIELD, SEARCH_FIELDS


def whoosh_query(eng, text: str) -> q.Query:
    """Whoosh's own parse of ``text`` (every word required, phrases on the fields with positions),
    with the optional near-phrase of plain words that the engine adds: the queries the evaluator
    must answer exactly as Whoosh does."""
    parser = MultifieldParser(list(SEARCH_FIELDS), eng.schema, fieldboosts=SEARCH_FIELDS)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin({"projects": ["project"], "plang": ["lang", "language"]}))

    def positioned(node):
        if isinstance(node, q.Phrase) and not eng.schema[node.fieldname].format.supports("positions"):
            return q.NullQuery
        return node

    parsed = parser.parse(text).accept(positioned).normalize()
    words = [t.text for t in eng.schema[NEUTRAL_FIELD].analyzer(text)]
    plain = engine_module._PLAIN_WORDS.fullmatch(text)
    if plain and len(words) >= 2:
        parsed = q.AndMaybe(parsed, q.Phrase(NEUTRAL_FIELD, words, slop=engine_module.PHRASE_SLOP, boost=engine_module.PHRASE_BOOST))
    return parsed

WORDS = {
    "fr": "les des enfants enfant protection droits traite exploitation rapport projet école famille victimes "
          "justice aide parents jeunes en ligne contre pour avec dans sur une la le de et".split(),
    "nl": "de het kinderen kind bescherming rechten mensenhandel uitbuiting verslag project school familie "
          "slachtoffers justitie hulp ouders jongeren online tegen voor met in op een van en".split(),
    "en": "the children child protection rights trafficking exploitation report project school family victims "
          "justice help parents young online against for with in on a of and".split(),
}

QUERIES = [
    "enfants", "enfant", "kinderen", "children", "protection", "les", "de", "the",
    "enfants protection", "droits des enfants", "traite exploitation", "kinderen bescherming", "child trafficking",
    "the children of", "les enfants en ligne", "rapport projet école",
    "enfants OR kinderen", "children OR kinderen OR enfants", "enfants NOT protection", "protection ANDNOT kinderen",
    '"droits des enfants"', '"the children"', '"bescherming van kinderen"', "title:rapport", "lang:nl kinderen",
    "(enfants OR children) protection", "justice ANDMAYBE victimes",
]


def _paragraph(rng: random.Random, lang: str) -> str:
    words = WORDS[lang]
    # Zipf-like: the first words (function words and a few topics) are the frequent ones.
    weights = [1.0 / (i + 1) ** 0.7 for i in range(len(words))]
    return " ".join(rng.choices(words, weights, k=rng.randint(25, 70))).capitalize() + "."


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("vectorized")
    folder = base / "corpus"
    folder.mkdir()
    rng = random.Random(7)
    for n in range(90):
        lang = ("fr", "nl", "en")[n % 3]
        title = " ".join(rng.sample(WORDS[lang][:14], 3)).capitalize()
        body = "\n\n".join(_paragraph(rng, lang) for _ in range(rng.randint(2, 6)))
        (folder / f"doc{n:03d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    index_dir = base / "index"
    sync([folder], index_dir, SyncOptions(jobs=1, batch_files=25))  # several segments
    for n in range(0, 90, 11):
        (folder / f"doc{n:03d}.txt").unlink()
    sync([folder], index_dir, SyncOptions(jobs=1, prune=True))  # deletions
    return index_dir


def _whoosh(searcher, query):
    results = searcher.search(query, limit=None, terms=False)
    return {docnum: score for score, docnum in results.top_n}


@pytest.fixture(params=["saved arrays", "whoosh files only"])
def evaluator_and_engine(index, request, monkeypatch):
    eng = engine_module.WhooshEngine(index)
    searcher = eng.searcher()
    saved = None
    if request.param == "saved arrays":
        # The test segments are small: save every term's postings to use the arrays for all of them.
        monkeypatch.setattr(postings, "HOT_MIN", 1)
        monkeypatch.setattr(postings, "HOT_SHARE", 0.0)
        saved = [postings.SegmentArrays(*postings.build_segment(leaf, list(SEARCH_FIELDS)))
                 for leaf, _ in searcher.reader().leaf_readers()]
        assert all(s is not None and s.spans for s in saved)
    yield vectorized.Evaluator(searcher, saved), eng
    eng.close()


def test_the_index_has_segments_and_deletions_and_the_queries_match(index):
    reader = whoosh_index.open_index(index).reader()
    assert len(list(reader.leaf_readers())) > 1
    assert reader.has_deletions()
    eng = engine_module.WhooshEngine(index)
    matching = [text for text in QUERIES if _whoosh(eng.searcher(), whoosh_query(eng, text))]
    assert len(matching) >= len(QUERIES) - 3, set(QUERIES) - set(matching)


@pytest.mark.parametrize("text", QUERIES)
def test_matches_and_scores_are_whooshs(evaluator_and_engine, text):
    evaluator, eng = evaluator_and_engine
    parsed = whoosh_query(eng, text)
    expected = _whoosh(evaluator.searcher, parsed)
    got = evaluator.matches(parsed)
    assert list(got.ids) == sorted(expected)
    assert np.allclose(got.scores, [expected[d] for d in got.ids], rtol=1e-12, atol=0)


@pytest.mark.parametrize("text", QUERIES)
def test_positions_and_stored_text_agree_on_phrases(index, text, monkeypatch):
    eng = engine_module.WhooshEngine(index)
    parsed = whoosh_query(eng, text)
    on_text = vectorized.Evaluator(eng.searcher()).matches(parsed)
    monkeypatch.setattr(vectorized, "STORED_CHECK", 0)  # always read the words' positions
    on_positions = vectorized.Evaluator(eng.searcher()).matches(parsed)
    assert list(on_text.ids) == list(on_positions.ids)
    assert np.array_equal(on_text.scores, on_positions.scores)


@pytest.mark.parametrize("text", [q for q in QUERIES if "NOT" not in q])
def test_first_documents_are_those_of_whooshs_ranking(evaluator_and_engine, text, monkeypatch):
    """The lazy near-phrase check gives the same first page as scoring every passage."""
    evaluator, eng = evaluator_and_engine
    monkeypatch.setattr(engine_module, "RESCORE_WINDOW", 10**9)
    searcher = evaluator.searcher
    doc_of = eng._facet_arrays(searcher).doc_of
    parsed = whoosh_query(eng, text)
    ranked = sorted(_whoosh(searcher, parsed).items(), key=lambda kv: (-kv[1], kv[0]))
    expected, seen = [], set()
    for docnum, score in ranked:
        if doc_of[docnum] not in seen:
            seen.add(doc_of[docnum])
            expected.append((docnum, score))
    eng._evaluator = evaluator
    matched, bonus, check = eng._matches(searcher, parsed)
    for count in (1, 3, 10, 50):
        got = engine_module._top(matched, doc_of, count, bonus, check)
        assert [d for d, _ in got] == [d for d, _ in expected[:count]], (text, count)
        assert np.allclose([s for _, s in got], [s for _, s in expected[:count]], rtol=1e-12)


def test_search_responses_are_the_same_with_and_without_saved_arrays(index, monkeypatch):
    with_arrays = engine_module.WhooshEngine(index)
    monkeypatch.setattr(postings, "HOT_MIN", 1)
    monkeypatch.setattr(postings, "HOT_SHARE", 0.0)
    searcher = with_arrays.searcher()
    with_arrays._evaluator = vectorized.Evaluator(searcher, [
        postings.SegmentArrays(*postings.build_segment(leaf, list(SEARCH_FIELDS))) for leaf, _ in searcher.reader().leaf_readers()])
    without = engine_module.WhooshEngine(index)
    without._evaluator = vectorized.Evaluator(without.searcher(), None)
    for text in QUERIES:
        for request in (SearchRequest(text), SearchRequest(text, langs=("fr",)), SearchRequest(text, sort="date")):
            a, b = with_arrays.search(request), without.search(request)
            assert (a.total, a.facets) == (b.total, b.facets)
            assert [(h.id, h.page, h.score) for h in a.hits] == [(h.id, h.page, h.score) for h in b.hits]


def test_saved_arrays_follow_the_segments(index, tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    ix = whoosh_index.open_index(copy)
    with ix.searcher() as searcher:
        segments = {postings.segment_id(leaf) for leaf, _ in searcher.reader().leaf_readers()}
        # the ingest saved each segment's arrays (few terms reach the real thresholds here)
        assert {p.name.split(".", 1)[0] for p in (copy / postings.POSTINGS_DIR).iterdir()} == segments
        assert postings.update(copy, searcher.reader(), list(SEARCH_FIELDS)) == 0  # nothing to do
    monkeypatch.setattr(postings, "HOT_MIN", 1)
    ix.optimize()  # merges every segment into one
    ix = whoosh_index.open_index(copy)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert postings.update(copy, reader, list(SEARCH_FIELDS)) == 1
        segid = postings.segment_id(reader.leaf_readers()[0][0])
        names = {p.name.split(".", 1)[0] for p in (copy / postings.POSTINGS_DIR).iterdir()}
        assert names == {segid}  # the merged-away segments' arrays are gone
        saved = postings.load_all(copy, reader)[0]
        for (field, btext), (start, end) in list(saved.spans.items())[:200]:
            ids, weights, _ = postings.leaf_postings(reader.leaf_readers()[0][0], field, btext)
            assert np.array_equal(saved.ids[start:end], ids) and np.array_equal(saved.weights[start:end], weights)


@given(st.lists(st.sampled_from("abcx"), max_size=14), st.lists(st.sampled_from("abc"), min_size=2, max_size=3),
       st.integers(min_value=1, max_value=3))
def test_the_phrase_pattern_decides_as_the_positions_do(tokens, phrase, slop):
    text = " ".join(tokens)
    positions = [[i for i, t in enumerate(tokens) if t == w] for w in phrase]
    by_positions = all(positions) and vectorized._near_in_order(positions, slop)
    assert bool(vectorized._phrase_pattern(phrase, slop).search(text)) == bool(by_positions)


def test_view_file_reads_like_a_file_without_copying():
    import io
    import pickle

    from indexer.whoosh.files import ViewFile

    data = pickle.dumps((1, "deux", [3.0])) + b"line one\nline two\n" + bytes(range(256))
    view = memoryview(bytearray(data))
    f, reference = ViewFile(view), io.BytesIO(data)
    assert pickle.load(f) == pickle.load(reference) and f.tell() == reference.tell()
    assert f.readline() == reference.readline() and f.read(4) == reference.read(4)
    f.seek(-10, io.SEEK_END)
    reference.seek(-10, io.SEEK_END)
    assert f.read() == reference.read() and f.read(5) == b""
    view[-1] = 0  # the file reads the buffer itself, not a copy of it
    f.seek(-1, io.SEEK_END)
    assert f.read(1) == b"\x00"


def test_the_phrase_check_stops_early_and_stays_within_its_window(monkeypatch):
    rng = np.random.default_rng(3)
    n = 5000
    ids = np.arange(n, dtype=np.int64)
    doc_of = ids // 5  # five passages per document
    found = vectorized.Matches(ids, rng.uniform(1.0, 10.0, n))
    bonus = vectorized.Matches(ids, rng.uniform(0.0, 5.0, n))
    phrase_at = set(rng.choice(n, 40, replace=False).tolist())
    checked = []

    def check(passages):
        checked.extend(passages.tolist())
        return np.array([p in phrase_at for p in passages.tolist()])

    def exhaustive(count):
        final = found.scores + bonus.scores * np.array([p in phrase_at for p in ids.tolist()])
        best = {}
        for p in sorted(ids.tolist(), key=lambda p: (-final[p], p)):
            best.setdefault(int(doc_of[p]), (p, final[p]))
        return sorted(best.values(), key=lambda pair: (-pair[1], pair[0]))[:count]

    monkeypatch.setattr(engine_module, "RESCORE_WINDOW", 10**9)
    for count in (1, 10):
        checked.clear()
        got = engine_module._top(found, doc_of, count, bonus, check)
        assert [p for p, _ in got] == [p for p, _ in exhaustive(count)]
        assert len(checked) < n // 4  # stopped long before checking everything
    monkeypatch.setattr(engine_module, "RESCORE_WINDOW", 100)
    checked.clear()
    engine_module._top(found, doc_of, 10, bonus, check)
    assert len(checked) <= 100
