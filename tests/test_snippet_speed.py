"""The fast snippet path (distinct words by set operations, a memo of the analysers per process, matched
words found with ``str.find``) gives the same windows and highlights as analysing every word of the passage."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import snippets
from indexer.analysis import WORD_PATTERN, indexed_forms
from indexer.snippets import make_snippet, match_spans
from indexer.whoosh.schema import LANG_FIELDS, NEUTRAL_FIELD, TITLE_FIELD

import re

_TOKEN = re.compile(WORD_PATTERN)


# --- the reference: every word of the passage analysed, every window scored (the former code) ---------

def reference_spans(text: str, lang: str, terms: set[tuple[str, str]]) -> list[tuple[int, int]]:
    wanted_neutral = {t for f, t in terms if f in (NEUTRAL_FIELD, TITLE_FIELD)}
    field = LANG_FIELDS.get(lang)
    wanted_lang = {t for f, t in terms if f == field} if field else set()
    words = list(_TOKEN.finditer(text))
    distinct = {m.group() for m in words}
    neutral = indexed_forms(distinct, None)
    stemmed = indexed_forms(distinct, lang) if field else {}
    return [(m.start(), m.end()) for m in words
            if neutral.get(m.group()) in wanted_neutral or stemmed.get(m.group()) in wanted_lang]


def reference_start(text: str, spans: list[tuple[int, int]], width: int) -> int:
    if not spans:
        return 0
    best, best_score = 0, -1
    words = [text[s:e].lower() for s, e in spans]
    for i, (s, _) in enumerate(spans):
        window = {words[j] for j in range(i, len(spans)) if spans[j][1] <= s + width}
        score = len(window) * 10 + sum(1 for j in range(i, len(spans)) if spans[j][1] <= s + width)
        if score > best_score:
            best, best_score = i, score
    first = spans[best][0]
    lead = max(0, first - width // 4)
    sentence = max(text.rfind(". ", lead, first), text.rfind("? ", lead, first), text.rfind("! ", lead, first))
    return sentence + 2 if sentence >= 0 else lead


def reference_snippet(text: str, lang: str, terms, max_chars: int = 220):
    text = " ".join(text.split())
    if not text:
        return "", []
    spans = reference_spans(text, lang, terms)
    if len(text) <= max_chars:
        return text, [[s, e] for s, e in spans]
    start = reference_start(text, spans, max_chars)
    end = min(len(text), start + max_chars)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + max_chars // 2 else end
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix) - start
    return prefix + text[start:end] + suffix, [[s + shift, e + shift] for s, e in spans if s >= start and e <= end]


@pytest.fixture(autouse=True)
def fresh_memo(monkeypatch):
    """Each test starts with an empty memo (and leaves the process's memo as it was)."""
    monkeypatch.setattr(snippets, "_VOCABULARIES", {})


def terms_for(words: list[str], lang: str) -> set[tuple[str, str]]:
    """The (field, term) pairs a query of ``words`` highlights: the folded word, and its stem in ``lang``."""
    out = set()
    for word in words:
        out.add((NEUTRAL_FIELD, indexed_forms([word], None)[word]))
        stem = indexed_forms([word], lang).get(word)
        if lang in LANG_FIELDS and stem:
            out.add((LANG_FIELDS[lang], stem))
    return out


# Words that fold, stem, split or hide inside longer words; digits, underscores and marks are word characters.
VOCABULARY = ["enfant", "enfants", "Enfants", "ENFANT", "l'enfant", "enfantin", "sous-enfant", "enfant_2", "enfant2",
              "événements", "evenements", "Évènement", "kinderen", "kind", "kinderhandel", "child", "children's",
              "œuvre", "oeuvres", "Straße", "strasse", "les", "des", "the", "de", "van", "x²", "½", "e\u0301te\u0301",
              "protection", "protégés", "Protégé", "2019", "a", "ab", "aba"]
SEPARATORS = [" ", "  ", "\n", ". ", "! ", "? ", ", ", "-", "'", "’", "\t", "\u00a0", "/"]


@st.composite
def passages(draw):
    words = draw(st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(min_size=1, max_size=5)), min_size=0, max_size=90))
    text = ""
    for word in words:
        text += word + draw(st.sampled_from(SEPARATORS))
    return text


@settings(max_examples=400, deadline=None, derandomize=True)
@given(passages(), st.sampled_from(["fr", "nl", "en", "und"]),
       st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3), st.sampled_from([40, 80, 220]))
def test_snippets_are_those_of_analysing_every_word(text, lang, query, width):
    terms = terms_for(query, lang)
    expected = reference_snippet(text, lang, terms, width)
    assert make_snippet(text, lang, terms, width) == expected  # the passage's words learnt
    assert make_snippet(text, lang, terms, width) == expected  # the passage known: words found from the memo


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(passages(), min_size=2, max_size=6), st.sampled_from(["fr", "nl", "en", "und"]),
       st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3))
def test_words_learnt_elsewhere_do_not_leak_into_a_passage(texts, lang, query):
    """Passages read one after another (the memo holds words of the others) and again in the other order."""
    terms = terms_for(query, lang)
    for text in texts + texts[::-1]:
        assert match_spans(text, lang, terms) == reference_spans(text, lang, terms)


def test_a_word_inside_a_longer_word_is_not_a_match():
    terms = terms_for(["enfant"], "fr")
    text = "enfantin, enfant_2, enfant2, sous-enfant, l'enfant et Enfants"
    spans = match_spans(text, "fr", terms)
    assert [text[s:e] for s, e in spans] == ["enfant", "enfant", "Enfants"]
    assert spans == reference_spans(text, "fr", terms)
    assert match_spans(text, "fr", terms) == spans  # once known, the same


def test_function_words_stay_unmarked_in_the_language_field():
    """"les" is a stop word in French: the query's "les" in the French field marks nothing, twice."""
    text = "Les enfants et les parents"
    terms = {(LANG_FIELDS["fr"], "les")}
    assert match_spans(text, "fr", terms) == []
    assert match_spans(text, "fr", terms) == []
    # The neutral field does keep it (exact and phrase matching).
    assert [text[s:e] for s, e in match_spans(text, "fr", {(NEUTRAL_FIELD, "les")})] == ["Les", "les"]


@pytest.mark.parametrize("limit", [0, 3, 50])
def test_the_memo_starting_again_changes_nothing(monkeypatch, limit):
    monkeypatch.setattr(snippets, "VOCABULARY_LIMIT", limit)
    texts = ["Les enfants victimes. " * 3, "De kinderen en het kind.", "The children's rights, a child.",
             "Événements et évènements, enfant.", "Les enfants victimes. " * 3]
    for lang in ("fr", "nl", "en", "und"):
        terms = terms_for(["enfant", "kind", "child", "evenements"], lang)
        for text in texts:
            assert make_snippet(text, lang, terms, 40) == reference_snippet(text, lang, terms, 40)


def test_threads_share_the_memo():
    """The OpenSearch engine makes snippets from several threads at once: same answers as one thread."""
    texts = [f"Passage {n}: les enfants{'x' * (n % 3)} et l'enfant {n}, kinderen {n % 7} en kind. " * (1 + n % 5)
             for n in range(120)]
    cases = [(text, lang, terms_for(["enfants", "kind"], lang)) for text in texts for lang in ("fr", "nl")]
    expected = [reference_snippet(text, lang, terms, 60) for text, lang, terms in cases]
    results: dict[int, list] = {}

    def run(n: int) -> None:
        results[n] = [make_snippet(text, lang, terms, 60) for text, lang, terms in cases[n::2] + cases]

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n in range(4):
        assert results[n] == expected[n::2] + expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["enfant", "Enfants", "kind", "a", "x"]), st.integers(0, 60)), max_size=40),
       st.sampled_from([10, 40, 220]))
def test_the_window_is_the_one_every_start_would_choose(layout, width):
    """_best_start's single pass chooses the start the all-pairs scoring chose, ties included."""
    text, spans = "", []
    for word, gap in layout:
        text += "y" * gap + " "
        spans.append((len(text), len(text) + len(word)))
        text += word + (". " if gap % 4 == 0 else " ")
    assert snippets._best_start(text, spans, width) == reference_start(text, spans, width)
