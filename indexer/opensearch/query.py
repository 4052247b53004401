"""The archive's query tree (:mod:`indexer.query`, with :mod:`indexer.translation`'s
``Translated`` and ``ProjectMention``) as OpenSearch query DSL.

The same semantics as the Whoosh engine (``indexer/whoosh/matching.py``):

* the top of the query is matched at **document** level: each top clause is a ``nested``
  query on ``passages`` (``score_mode: max``), optional clauses are ``should`` with
  ``minimum_should_match: 1`` (a document holding any of the words qualifies, and its score
  is the sum of the words it holds, so more words rank higher), ``+``/``AND`` clauses are
  ``must`` and ``-``/``NOT`` clauses ``must_not`` (no passage of the document holds them);
* inside a clause (a word, a phrase, ``a OR b``, a parenthesised group) matching is at
  **passage** level, as in Whoosh;
* a plain word is looked up in every language field (stemmed there by that field's
  analyser), the neutral field (×0.6) and the title (×2); a function word ("des", "in")
  only in the language fields, where the stop filter drops it, so it matches nothing
  unless quoted; only-function-word queries look for those words as written;
* prefixes and fuzzy words go to the neutral field (and the title); phrases to the neutral
  field (and the title), with Lucene's slop = the archive's slop - 1;
* the best passage of each document (shown with its page) comes from one more ``nested``
  clause holding every positive word, scored by ``prose`` (contents pages lowered), with
  ``inner_hits`` of size 1.

:func:`highlight_terms` gives the (field, indexed form) pairs that
``indexer.snippets.match_spans`` marks, with prefixes and fuzzy words expanded on the
passage's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from archive.textutil import fold

from .. import query as tree
from ..analysis import indexed_forms
from ..snippets import phrase_term
from ..translation import ProjectMention, Translated, is_function_clause, is_function_word
from .mapping import LANG_FIELDS, NEUTRAL

P = "passages."
#: Field weights, as Whoosh's SEARCH_FIELDS (title 2, language fields 1, neutral 0.6).
WORD_FIELDS = [*(P + f for f in LANG_FIELDS.values()), P + NEUTRAL + "^0.6", P + "title^2"]
LANG_ONLY = [P + f for f in LANG_FIELDS.values()]
#: A project named in the query scores like a strong title word.
PROJECT_BOOST = 8.0
MAX_EXPANSIONS = 128
MATCH_NONE = {"match_none": {}}
#: Plain words standing this close together (as a phrase within 2 positions) add a bonus, as in Whoosh.
NEAR_SLOP = 1  # Lucene's slop: Whoosh's slop 2 less one
NEAR_BOOST = 2.0
# Words only: no quotes, parentheses, field:, wildcards, fuzziness or operators.
_PLAIN_WORDS = re.compile(r"(?!.*\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b)[^\"():*?~^\[\]{}+-][^\"():*?~^\[\]{}]*")


def _folded(word: str) -> str:
    return fold(word.lower())


def word_query(word: str, field: str | None) -> dict | None:
    """A passage-level query for one plain word (None: a function word, which matches nothing)."""
    if field == "title":
        return {"match": {P + "title": {"query": word}}}
    if field == "exact":
        return {"match": {P + NEUTRAL: {"query": word}}}
    fields = LANG_ONLY if is_function_word(word) else WORD_FIELDS
    if is_function_word(word) and not any(indexed_forms([word], lang)[word] for lang in LANG_FIELDS):
        return None
    return {"multi_match": {"query": word, "fields": fields, "type": "most_fields"}}


def expanded_query(term: tree.Term) -> dict:
    value = _folded(term.text)
    fields = [P + "title"] if term.field == "title" else ([P + NEUTRAL] if term.field == "exact" else [P + NEUTRAL, P + "title"])
    parts = []
    for name in fields:
        if term.prefix:
            # Scored by each expansion's BM25, as Whoosh does, on the 128 most frequent (not constant).
            parts.append({"prefix": {name: {"value": value, "rewrite": f"top_terms_{MAX_EXPANSIONS}"}}})
        else:
            parts.append({"fuzzy": {name: {"value": value, "fuzziness": term.fuzzy, "prefix_length": 1,
                                           "max_expansions": MAX_EXPANSIONS}}})
    return parts[0] if len(parts) == 1 else {"bool": {"should": parts, "minimum_should_match": 1}}


def phrase_query(node: tree.Phrase) -> dict | None:
    words = list(node.words)
    if not node.quoted:
        kept = [w for w in words if not is_function_word(w)]
        if len(kept) == 1:
            return word_query(kept[0], node.field)
        if not kept:
            return None
    text = " ".join(words)
    slop = max(0, node.slop - 1)
    if node.field == "title":
        return {"match_phrase": {P + "title": {"query": text, "slop": slop}}}
    if node.field == "exact":
        return {"match_phrase": {P + NEUTRAL: {"query": text, "slop": slop}}}
    return {"bool": {"should": [{"match_phrase": {P + NEUTRAL: {"query": text, "slop": slop}}},
                                {"match_phrase": {P + "title": {"query": text, "slop": slop, "boost": 2.0}}}],
                     "minimum_should_match": 1}}


def passage_query(node) -> dict | None:
    """``node`` matched within one passage (fields under ``passages.``); None: matches nothing."""
    if isinstance(node, tree.Term):
        return expanded_query(node) if node.prefix or node.fuzzy else word_query(node.text, node.field)
    if isinstance(node, tree.Phrase):
        return phrase_query(node)
    if isinstance(node, tree.Filter):
        # Inside a group only the passage's language is known to a passage; other filters
        # (year, project, type: document metadata) narrow the whole query (see top_level).
        if node.name == "lang":
            return {"term": {P + "plang": node.value}}
        return {"match_all": {}}
    if isinstance(node, tree.AnyOf):
        parts = [q for q in map(passage_query, node.children) if q is not None]
        return _any(parts)
    if isinstance(node, Translated):
        parts = [passage_query(node.original)]
        for alt, weight in node.translation.nodes:
            if not isinstance(alt, ProjectMention):
                q = passage_query(alt)
                parts.append(_boosted(q, weight) if q is not None else None)
        return _any([q for q in parts if q is not None])
    if isinstance(node, tree.Group):
        must = [passage_query(n) for n in node.of(tree.MUST)]
        if any(q is None for q in must):
            return None
        should = [q for q in map(passage_query, node.of(tree.SHOULD)) if q is not None]
        if not must and not should and node.of(tree.SHOULD):
            return None
        must_not = [q for q in map(passage_query, node.of(tree.MUST_NOT)) if q is not None]
        body: dict = {"must": must or ([] if should else [{"match_all": {}}]), "should": should, "must_not": must_not}
        if should and not must:
            body["minimum_should_match"] = 1
        return {"bool": {k: v for k, v in body.items() if v != []}}
    raise TypeError(f"not a query node: {node!r}")


def _any(parts: list[dict]) -> dict | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"bool": {"should": parts, "minimum_should_match": 1}}


def _boosted(q: dict, weight: float) -> dict:
    return {"bool": {"must": [q], "boost": weight}}


def nested(q: dict, **extra) -> dict:
    return {"nested": {"path": "passages", "query": q, "score_mode": "max", **extra}}


@dataclass
class Compiled:
    """A query translated for one request: the document-level query and the passage-level
    query whose best passage is shown."""

    query: dict
    #: Passage-level queries of every positive clause (for the best passage).
    positives: list[dict] = field(default_factory=list)
    everything: bool = False
    #: Languages written in the query (``lang:nl``): the best passage is in one of them.
    langs: tuple[str, ...] = ()


def top_level(group: tree.Group, doc_filter: Callable[[tree.Filter], dict]) -> Compiled:
    """The top of a query at document level. ``doc_filter`` translates ``lang:``/``year:``/
    ``project:``/``type:`` written in the query (a document-level filter)."""
    must, should, must_not, filters, positives, langs = [], [], [], [], [], []

    def add_filters(node, occur):
        # Filters written inside groups narrow the document (their passages cannot say).
        if isinstance(node, tree.Filter) and node.name == "lang" and occur != tree.MUST_NOT:
            langs.append(node.value)  # a passage in that language must answer (below)
        elif isinstance(node, tree.Filter):
            (must_not if occur == tree.MUST_NOT else filters).append(doc_filter(node))
        elif isinstance(node, tree.Group) and occur != tree.MUST_NOT:
            for c in node.clauses:
                if isinstance(c.node, tree.Filter) and c.node.name != "lang" and c.occur != tree.SHOULD:
                    add_filters(c.node, c.occur)

    clauses = list(group.clauses)
    content = [c for c in clauses if not isinstance(c.node, tree.Filter) and c.occur != tree.MUST_NOT
               and not (c.occur == tree.SHOULD and is_function_clause(c.node))]
    if not content and group.of(tree.SHOULD):
        # Only function words ("to be or not to be"): then they are the words to find, all of them.
        clauses = [c if c.occur != tree.SHOULD else tree.Clause(tree.MUST, _exact(c.node)) for c in clauses]
    scoring = []  # function words: they score where a passage's language makes them content words, never qualify
    for c in clauses:
        node = c.node
        add_filters(node, c.occur)
        if isinstance(node, tree.Filter):
            continue
        if c.occur == tree.SHOULD and is_function_clause(node):
            pq = passage_query(node)
            if pq is not None:
                scoring.append(nested(pq))
            continue
        pq = passage_query(node)
        if pq is None:
            if c.occur == tree.MUST:
                must.append(MATCH_NONE)
            continue
        doc_q = nested(pq)
        if isinstance(node, Translated):
            mentions = [{"constant_score": {"filter": {"term": {"projects": alt.project}}, "boost": PROJECT_BOOST * w}}
                        for alt, w in node.translation.nodes if isinstance(alt, ProjectMention)]
            if mentions:
                doc_q = {"bool": {"should": [doc_q, *mentions], "minimum_should_match": 1}}
        if c.occur == tree.MUST_NOT:
            must_not.append(doc_q)
            continue
        positives.append(pq)
        (must if c.occur == tree.MUST else should).append(doc_q)
    body: dict = {}
    if scoring and (must or should):
        if should and not must:  # the optional words still decide which documents qualify
            must, should = [{"bool": {"should": should, "minimum_should_match": 1}}], []
        should = should + scoring
    if must:
        body["must"] = must
    if should:
        body["should"] = should
        if not must:
            body["minimum_should_match"] = 1
    if not must and not should:
        body["must"] = [{"match_all": {}}]
    if must_not:
        body["must_not"] = must_not
    for lang in langs:
        # As in Whoosh, ``lang:nl`` narrows the passages: one in Dutch must hold a word of the query.
        answering = [{"bool": {"should": positives, "minimum_should_match": 1}}] if positives else []
        filters.append(nested({"bool": {"filter": [{"term": {P + "plang": lang}}, *answering]}}))
    if filters:
        body["filter"] = filters
    return Compiled({"bool": body}, positives, everything=not positives, langs=tuple(dict.fromkeys(langs)))


def near_phrase(text: str, group: tree.Group) -> dict | None:
    """For a query of plain words, the passages where they stand together (a phrase with a little
    slop): an optional clause that ranks those passages and their documents higher."""
    if not _PLAIN_WORDS.fullmatch(text.strip()) or group.of(tree.MUST_NOT):
        return None
    words = _WORD.findall(text)
    # Function words count, as in Whoosh: words copied from a page ("sur le sens de sa") are
    # mostly function words, and their run is what tells the page (and the document) apart.
    if len(words) < 2:
        return None
    return {"match_phrase": {P + NEUTRAL: {"query": " ".join(words), "slop": NEAR_SLOP, "boost": NEAR_BOOST}}}


def _exact(node):
    words = tree.words_of(node)
    if len(words) == 1:
        return tree.Term(words[0], "exact")
    return tree.Phrase(tuple(words), "exact")


def best_passage(translated: Compiled, langs: tuple[str, ...] = (), near: dict | None = None,
                 snippet_source=("passages.seq", "passages.page", "passages.plang", "passages.text")) -> dict:
    """A clause every document of the result matches, whose inner hit is its best passage: the
    passage with the most of the query's words (scored lower on contents pages), in one of
    ``langs`` when the request filters on language; the first passage when nothing scores."""
    should = translated.positives + ([near] if near else [])
    inner: dict = {"bool": {"must": [{"constant_score": {"filter": {"match_all": {}}, "boost": 0.0}}]}}
    if should:
        inner["bool"]["should"] = should
    if langs:
        inner["bool"]["filter"] = [{"terms": {P + "plang": list(langs)}}]
    scored = {"function_score": {"query": inner, "functions": [{"field_value_factor": {"field": P + "prose", "missing": 1.0}}],
                                 "boost_mode": "multiply"}}
    inner_hits = {"name": "best", "size": 1, "_source": list(snippet_source)}
    if not should:
        inner_hits["sort"] = [{P + "seq": {"order": "asc"}}]
    return nested(scored, inner_hits=inner_hits)


# --- highlighting ----------------------------------------------------------------------

_WORD = re.compile(r"\w+")


@dataclass
class Highlight:
    """What a query marks in a passage, as ``indexer.snippets.match_spans`` takes it."""

    terms: set[tuple[str, str]] = field(default_factory=set)
    prefixes: list[tuple[str, str]] = field(default_factory=list)  # (field, folded prefix)
    fuzzy: list[tuple[str, str, int]] = field(default_factory=list)  # (field, folded word, distance)

    def for_text(self, text: str) -> set[tuple[str, str]]:
        """The terms, with prefixes and fuzzy words expanded on the words of ``text``."""
        if not self.prefixes and not self.fuzzy:
            return self.terms
        out = set(self.terms)
        words = {_folded(w) for w in _WORD.findall(text)}
        for name, prefix in self.prefixes:
            out.update((name, w) for w in words if w.startswith(prefix))
        for name, word, dist in self.fuzzy:
            out.update((name, w) for w in words if w[:1] == word[:1] and _distance(w, word, dist) <= dist)
        return out


def highlight_terms(group: tree.Group) -> Highlight:
    out = Highlight()
    for c in group.clauses:
        if c.occur != tree.MUST_NOT and not isinstance(c.node, tree.Filter):
            _collect(c.node, out)  # a function word: in the languages where it is a content word only
    if not out.terms and not out.prefixes and not out.fuzzy:  # only function words: as written
        for c in group.clauses:
            if c.occur == tree.SHOULD:
                _collect(_exact(c.node), out)
    return out


def _collect(node, out: Highlight) -> None:
    if isinstance(node, tree.Term):
        folded = _folded(node.text)
        names = ["title"] if node.field == "title" else ["text_all"] if node.field == "exact" else ["text_all", "title"]
        if node.prefix:
            out.prefixes += [(n, folded) for n in names]
        elif node.fuzzy:
            out.fuzzy += [(n, folded, node.fuzzy) for n in names]
        elif node.field:
            out.terms.update((n, folded) for n in names)
        else:
            for lang, name in LANG_FIELDS.items():
                form = indexed_forms([node.text], lang)[node.text]
                if form:
                    out.terms.add((name, form))
            if not is_function_word(node.text):
                out.terms.update((n, folded) for n in names)
    elif isinstance(node, tree.Phrase):
        if not node.quoted:
            kept = [w for w in node.words if not is_function_word(w)]
            if len(kept) == 1:
                _collect(tree.Term(kept[0], node.field), out)
                return
        out.terms.add(phrase_term(node.words, node.slop))
    elif isinstance(node, tree.AnyOf):
        for child in node.children:
            _collect(child, out)
    elif isinstance(node, Translated):
        _collect(node.original, out)
        for alt, _ in node.translation.nodes:
            if not isinstance(alt, ProjectMention):
                _collect(alt, out)
    elif isinstance(node, tree.Group):
        for c in node.clauses:
            if c.occur != tree.MUST_NOT:
                _collect(c.node, out)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
