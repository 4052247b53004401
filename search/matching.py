"""The query tree (:mod:`search.query`) evaluated on the Whoosh index, passage by passage.

Each word is looked up in every text field at once, in the form that field's
analyser gives it (stemmed in the French, Dutch and English fields, folded in
the title and the neutral field) and scored with BM25F as Whoosh scores it.
Function words ("des", "in", "met", "of") count only inside a quoted phrase:
they are neither matched nor highlighted on their own. The top of the query
is ranked at document level by :mod:`search.ranking`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from whoosh import query as q

from archive.textutil import fold
from indexer.analysis import indexed_forms, stop_words
from indexer.schema import LANG_FIELDS, NEUTRAL_FIELD, SEARCH_FIELDS, TITLE_FIELD

from . import query as tree
from .ranking import ClauseMatches, combine
from .vectorized import EMPTY, Evaluator, Matches, intersect, optional, subtract, union

FUNCTION_WORDS = stop_words("fr") | stop_words("nl") | stop_words("en")
#: Prefixes and fuzzy words stand for at most this many index terms (the most frequent).
MAX_EXPANSIONS = 128
#: A project named in the query scores like a word this many times its IDF (a strong title match).
PROJECT_SCORE = 2.0
PHRASE_FIELDS = {NEUTRAL_FIELD: SEARCH_FIELDS[NEUTRAL_FIELD], TITLE_FIELD: SEARCH_FIELDS[TITLE_FIELD]}


def is_function_word(word: str) -> bool:
    return fold(word.lower()) in FUNCTION_WORDS


def content_words(group: tree.Group) -> list[tree.Term]:
    """The optional plain words of a query's top level that count toward matching."""
    return [n for n in group.of(tree.SHOULD) if isinstance(n, tree.Term) and not n.field and not n.prefix
            and not n.fuzzy and not is_function_word(n.text)]


@dataclass
class Translation:
    """What a word or phrase of the query also stands for in the other languages."""

    nodes: list[tuple[object, float]]  # (query node, weight)
    label: str


@dataclass
class Evaluation:
    matches: Matches
    #: (field, indexed term) pairs the query matched, for highlighting.
    terms: set[tuple[str, str]] = field(default_factory=set)


class Matcher:
    """Evaluates query trees for one searcher; ``mask_of(filter_node)`` gives a filter's passages."""

    def __init__(self, evaluator: Evaluator, mask_of: Callable[[tree.Filter], np.ndarray]):
        self.evaluator = evaluator
        self.searcher = evaluator.searcher
        self.reader = self.searcher.reader()
        self.mask_of = mask_of
        self.terms: set[tuple[str, str]] = set()

    # -- leaves ---------------------------------------------------------------

    def forms(self, word: str, field: str | None) -> dict[str, str]:
        """The indexed form of ``word`` in each field it is looked up in (function words: none)."""
        folded = fold(word.lower())
        if field == "title":
            return {TITLE_FIELD: folded}
        if field == "exact":
            return {NEUTRAL_FIELD: folded}
        out = {}
        for lang, name in LANG_FIELDS.items():
            form = indexed_forms([word], lang)[word]
            if form:
                out[name] = form
        if folded not in FUNCTION_WORDS:
            out[TITLE_FIELD] = out[NEUTRAL_FIELD] = folded
        return out

    def word(self, word: str, field: str | None = None) -> Matches:
        parts = []
        for name, form in self.forms(word, field).items():
            found = self.evaluator.term(name, form)
            if len(found):
                self.terms.add((name, form))
                parts.append(_scaled(found, SEARCH_FIELDS.get(name, 1.0)))
        return union(parts)

    def expanded(self, term: tree.Term) -> Matches:
        """A prefix or fuzzy word: the most frequent index terms it stands for, in the title and neutral field."""
        folded = fold(term.text.lower())
        parts = []
        for name in (TITLE_FIELD, NEUTRAL_FIELD) if term.field != "exact" else (NEUTRAL_FIELD,):
            if term.field == "title" and name != TITLE_FIELD:
                continue
            if term.prefix:
                candidates = [t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.expand_prefix(name, folded)]
            else:
                fuzzy = q.FuzzyTerm(name, folded, maxdist=term.fuzzy, prefixlength=1)
                candidates = [t.decode("utf-8") if isinstance(t, bytes) else t for _, t in fuzzy.expanded_terms(self.reader)]
            if len(candidates) > MAX_EXPANSIONS:
                candidates = sorted(candidates, key=lambda t: -self.reader.doc_frequency(name, t))[:MAX_EXPANSIONS]
            for text in candidates:
                found = self.evaluator.term(name, text)
                if len(found):
                    self.terms.add((name, text))
                    parts.append(_scaled(found, SEARCH_FIELDS.get(name, 1.0)))
        return union(parts)

    def phrase(self, node: tree.Phrase) -> Matches:
        words = list(node.words)
        if not node.quoted:
            kept = [w for w in words if not is_function_word(w)]
            if len(kept) == 1:
                return self.word(kept[0], node.field)
            if not kept:
                return EMPTY
        folded = [fold(w.lower()) for w in words]
        fields = {"title": {TITLE_FIELD: PHRASE_FIELDS[TITLE_FIELD]}, "exact": {NEUTRAL_FIELD: 1.0}}.get(node.field, PHRASE_FIELDS)
        parts = []
        for name, boost in fields.items():
            found = self.evaluator.phrase(q.Phrase(name, folded, slop=node.slop, boost=boost))
            if len(found):
                self.terms.update((name, w) for w in folded)
                parts.append(found)
        return union(parts)

    # -- nodes ----------------------------------------------------------------

    def node(self, node) -> Matches:
        if isinstance(node, tree.Term):
            return self.expanded(node) if node.prefix or node.fuzzy else self.word(node.text, node.field)
        if isinstance(node, tree.Phrase):
            return self.phrase(node)
        if isinstance(node, tree.Filter):
            ids = np.flatnonzero(self.mask_of(node))
            return Matches(ids.astype(np.int64), np.zeros(len(ids)))
        if isinstance(node, tree.AnyOf):
            return union([self.node(c) for c in node.children])
        if isinstance(node, Translated):
            parts = [self.node(node.original)]
            for n, w in node.translation.nodes:
                if isinstance(n, ProjectMention):  # the project's documents, scored as a strong title word
                    ids = np.flatnonzero(self.mask_of(tree.Filter("project", n.project)))
                    parts.append(Matches(ids.astype(np.int64), np.full(len(ids), w * PROJECT_SCORE * self.weight(node.original))))
                else:
                    parts.append(_scaled(self.node(n), w))
            return union(parts)
        if isinstance(node, tree.Group):
            return self.nested(node)
        raise TypeError(f"not a query node: {node!r}")

    def nested(self, group: tree.Group) -> Matches:
        """A parenthesised group, matched within one passage: required words all, else any optional one."""
        must = [self.node(n) for n in group.of(tree.MUST)]
        should = [self.node(n) for n in group.of(tree.SHOULD)]
        if must:
            result = must[0]
            for other in must[1:]:
                result = intersect(result, other)
            for other in should:
                result = optional(result, other)
        elif should:
            result = union(should)
        else:
            result = self.everything()
        for n in group.of(tree.MUST_NOT):
            result = subtract(result, self.node(n).ids)
        return result

    def terms_of(self, group: tree.Group) -> set[tuple[str, str]]:
        """The (field, indexed term) pairs a query matches anywhere, for highlighting a whole document."""
        for c in group.clauses:
            if c.occur != tree.MUST_NOT and not isinstance(c.node, tree.Filter) and not _is_function_clause(c.node):
                self.node(c.node)
        return self.terms

    def everything(self) -> Matches:
        ids = np.flatnonzero(self.evaluator.live).astype(np.int64)
        return Matches(ids, np.zeros(len(ids)))

    def weight(self, node) -> float:
        """A clause's share in coordination: the IDF of its rarest word in the neutral field."""
        if isinstance(node, Translated):
            return self.weight(node.original)
        words = tree.words_of(node) if not isinstance(node, tree.Filter) else []
        if not self.searcher.doc_count():
            return 1.0  # an empty index: Whoosh's IDF takes the log of zero
        idfs = [self.searcher.idf(NEUTRAL_FIELD, fold(w.lower())) for w in words if not is_function_word(w)]
        return max(idfs) if idfs else 1.0

    def rank(self, group: tree.Group, doc_of: np.ndarray, allowed: np.ndarray | None) -> Matches:
        """The top of a query, ranked at document level among the passages ``allowed``."""
        clauses = []
        for c in group.clauses:
            node = c.node
            if isinstance(node, tree.Filter):  # a filter written in the query narrows the passages
                mask = self.mask_of(node)
                mask = ~mask if c.occur == tree.MUST_NOT else mask
                allowed = mask if allowed is None else allowed & mask
        for c in group.clauses:
            node = c.node
            if isinstance(node, tree.Filter) or (c.occur == tree.SHOULD and _is_function_clause(node)):
                continue
            found = self.node(node)
            if allowed is not None and c.occur != tree.MUST_NOT:
                found = found.where(allowed)
            clauses.append(ClauseMatches(c.occur, found, self.weight(node)))
        if not any(c.occur != tree.MUST_NOT for c in clauses) and any(c.occur == tree.SHOULD for c in group.clauses):
            # Only function words ("to be or not to be"): then they are the words to find, all of them.
            clauses += [ClauseMatches(tree.MUST, self._function_word(n).where(allowed)) for n in group.of(tree.SHOULD)]
        everything = self.everything().where(allowed) if not any(c.occur != tree.MUST_NOT for c in clauses) else None
        return combine(clauses, doc_of, everything)

    def _function_word(self, node) -> Matches:
        words = tree.words_of(node)
        if len(words) == 1:
            return self.word(words[0], "exact")
        return self.phrase(tree.Phrase(tuple(words), "exact"))


@dataclass(frozen=True)
class ProjectMention:
    """The documents of a project whose name the query spells."""

    project: str


def mention_projects(group: tree.Group, spellings, visible: set[str] | None = None) -> tuple[tree.Group, list[str]]:
    """The query with each run of plain words that spells a project's name (see
    :mod:`search.projects`) also matching that project's documents; and the ids found.
    ``visible``: the projects the requester may see (None: all)."""
    rows = [i for i, c in enumerate(group.clauses) if c.occur != tree.MUST_NOT and _plain(c.node)]
    words, owner = [], []
    for i in rows:
        node = group.clauses[i].node
        for w in (node.words if isinstance(node, tree.Phrase) else (node.text,)):
            words.append(w)
            owner.append(i)
    clauses = list(group.clauses)
    found = []
    for start, n, pid in spellings.find(words):
        if visible is not None and pid not in visible:
            continue
        found.append(pid)
        translation = Translation([(ProjectMention(pid), 1.0)], f"project {spellings.names.get(pid, pid)}")
        for i in dict.fromkeys(owner[start:start + n]):
            c = clauses[i]
            if not _is_function_clause(c.node):
                clauses[i] = tree.Clause(c.occur, Translated(c.node, translation))
    return (tree.Group(tuple(clauses)) if found else group), found


def simplify(group: tree.Group) -> tree.Group:
    """Words written with inner punctuation that hold one content word ("l'oubli") become that word."""
    clauses = []
    for c in group.clauses:
        node = c.node
        if isinstance(node, tree.Phrase) and not node.quoted:
            kept = [w for w in node.words if not is_function_word(w)]
            if len(kept) == 1:
                node = tree.Term(kept[0], node.field)
        clauses.append(tree.Clause(c.occur, node))
    return tree.Group(tuple(clauses))


def _plain(node) -> bool:
    if isinstance(node, tree.Term):
        return not node.field and not node.prefix and not node.fuzzy
    return isinstance(node, tree.Phrase) and not node.quoted and not node.field


@dataclass(frozen=True)
class Translated:
    """A query word (or words) together with its translations (cross-language search)."""

    original: object
    translation: Translation


def _is_function_clause(node) -> bool:
    if isinstance(node, tree.Term):
        return not node.field and not node.prefix and not node.fuzzy and is_function_word(node.text)
    if isinstance(node, tree.Phrase) and not node.quoted:
        return all(is_function_word(w) for w in node.words)
    return False


def _scaled(m: Matches, factor: float) -> Matches:
    return m if factor == 1.0 else Matches(m.ids, m.scores * factor)
