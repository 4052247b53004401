"""The query tree (:mod:`indexer.query`) evaluated on the Whoosh index, passage by passage.

Each word is looked up in every text field at once, in the form that field's
analyser gives it (stemmed in the French, Dutch and English fields, folded in
the title and the neutral field) and scored with BM25F as Whoosh scores it.
Function words ("des", "in", "met", "of") count only inside a quoted phrase:
they are neither matched nor highlighted on their own. The top of the query
is ranked at document level by :mod:`indexer.ranking`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from whoosh import query as q

from archive.textutil import fold
from indexer.analysis import indexed_forms
from indexer.whoosh.schema import LANG_FIELDS, NEUTRAL_FIELD, SEARCH_FIELDS, TITLE_FIELD

from .. import query as tree
from ..snippets import phrase_term
from ..ranking import EMPTY, ClauseMatches, Matches, combine, intersect, optional, subtract, union
from ..translation import FUNCTION_WORDS, ProjectMention, Translated, is_function_clause, is_function_word
from .evaluator import Evaluator

#: Prefixes and fuzzy words stand for at most this many index terms (the most frequent).
MAX_EXPANSIONS = 128
#: A project named in the query scores like a word this many times its IDF (a strong title match).
PROJECT_SCORE = 2.0
PHRASE_FIELDS = {NEUTRAL_FIELD: SEARCH_FIELDS[NEUTRAL_FIELD], TITLE_FIELD: SEARCH_FIELDS[TITLE_FIELD]}


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
                self.terms.add(phrase_term(words, node.slop))
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
            if c.occur != tree.MUST_NOT and not isinstance(c.node, tree.Filter):
                self.node(c.node)  # a function word: in the languages where it is a content word only
        if not self.terms:  # only function words ("EU", "to be"): then they are what was searched for
            for node in group.of(tree.SHOULD):
                self._function_word(node)
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
            if isinstance(node, tree.Filter):
                continue
            function = c.occur == tree.SHOULD and is_function_clause(node)
            found = self.node(node)  # a function word: only in the languages where it is none ("door" in English)
            if allowed is not None and c.occur != tree.MUST_NOT:
                found = found.where(allowed)
            if function:
                clauses.append(ClauseMatches(c.occur, found, 0.0, qualifies=False))
            else:
                clauses.append(ClauseMatches(c.occur, found, self.weight(node)))
        if not any(c.occur != tree.MUST_NOT and c.qualifies for c in clauses) and any(c.occur == tree.SHOULD for c in group.clauses):
            # Only function words ("to be or not to be"): then they are the words to find, all of them.
            clauses = [c for c in clauses if c.qualifies]
            clauses += [ClauseMatches(tree.MUST, self._function_word(n).where(allowed)) for n in group.of(tree.SHOULD)]
        everything = self.everything().where(allowed) if not any(c.occur != tree.MUST_NOT for c in clauses) else None
        return combine(clauses, doc_of, everything)

    def _function_word(self, node) -> Matches:
        words = tree.words_of(node)
        if len(words) == 1:
            return self.word(words[0], "exact")
        return self.phrase(tree.Phrase(tuple(words), "exact"))


def _scaled(m: Matches, factor: float) -> Matches:
    return m if factor == 1.0 else Matches(m.ids, m.scores * factor)
