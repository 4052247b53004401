"""Ranking documents from the passages each query clause matches.

A document (a publication) is the unit of matching; a passage (a PDF page or a
paragraph-sized chunk) is the unit shown. A query's optional words rarely all
stand on the page that answers it ("mineurs" on the page, "enfants" in the
query), so no single word is required: a document qualifies when it holds any
of the query's words anywhere in it (the ``OR`` of Elasticsearch's ``match`` and
``multi_match``; requiring most of them measured worse on bench/eval_topical.py),
and it ranks by

    (best passage's BM25F + SPREAD x the best scores of the words found only on its other passages)
    x (share of the query's weight the document holds) ** COORD

so a passage with every word beats one with most of them, which beats the same
words spread over a document; words are weighted by how rare they are (their
IDF), so missing a common word costs little and missing the rare one costs a
lot. Required clauses (``+word``, ``AND``) must occur in the document, excluded
ones (``-word``, ``NOT``) must not occur anywhere in it.

Everything here is array arithmetic on passage numbers; nothing knows the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NO_IDS = np.zeros(0, dtype=np.int64)
NO_SCORES = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class Matches:
    """Matching passage numbers (sorted, unique) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def where(self, mask: np.ndarray | None) -> "Matches":
        """The matches whose passage is set in ``mask`` (a boolean array over all passages)."""
        if mask is None:
            return self
        keep = mask[self.ids]
        return Matches(self.ids[keep], self.scores[keep])




EMPTY = Matches(NO_IDS, NO_SCORES)


def union(parts: list[Matches]) -> Matches:
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    ids, inverse = np.unique(np.concatenate([p.ids for p in parts]), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=len(ids))
    return Matches(ids, scores)


def intersect(a: Matches, b: Matches) -> Matches:
    ids, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    return Matches(ids, a.scores[ia] + b.scores[ib])


def optional(a: Matches, b: Matches) -> Matches:
    _, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    scores = a.scores.copy()
    scores[ia] += b.scores[ib]
    return Matches(a.ids, scores)


def subtract(a: Matches, ids: np.ndarray) -> Matches:
    if not len(ids) or not len(a):
        return a
    keep = ~np.isin(a.ids, ids, assume_unique=True)
    return Matches(a.ids[keep], a.scores[keep])


#: Weight of the words a document holds only on pages other than the one shown.
SPREAD = 0.4
#: How hard a missing word (by its share of the query's weight) lowers a document.
COORD = 3.0


@dataclass(frozen=True)
class ClauseMatches:
    occur: str  # "must", "should" or "must_not"
    matches: Matches
    weight: float = 1.0  # its share in coordination (the word's IDF)
    #: False for a word that is a function word in some language ("door", "EU", "plus"): it adds its
    #: score where a passage's language makes it a content word, but never makes a document qualify.
    qualifies: bool = True


def combine(clauses: list[ClauseMatches], doc_of: np.ndarray, everything: Matches | None = None) -> Matches:
    """The passages of the qualifying documents that match a positive clause, with their final scores.

    ``everything``: every passage allowed (used when the query has no positive clause).
    """
    positive = [c for c in clauses if c.occur != "must_not"]
    excluded = [c for c in clauses if c.occur == "must_not"]
    if not positive:
        found = everything if everything is not None else EMPTY
        return _exclude(found, excluded, doc_of)
    ids = np.unique(np.concatenate([c.matches.ids for c in positive]))
    if not len(ids):
        return EMPTY
    docs, inverse = np.unique(doc_of[ids], return_inverse=True)
    total_weight = sum(c.weight for c in positive) or 1.0
    base = np.zeros(len(ids))
    holds = np.zeros(len(docs))  # the weight of the clauses each document holds
    should_count = np.zeros(len(docs), dtype=np.int64)
    required = np.ones(len(docs), dtype=bool)
    per_clause = []
    for c in positive:
        rows = np.searchsorted(ids, c.matches.ids)
        score = np.zeros(len(ids))
        score[rows] = c.matches.scores
        present = np.zeros(len(ids), dtype=bool)
        present[rows] = True
        best = np.zeros(len(docs))
        np.maximum.at(best, inverse[rows], c.matches.scores)
        in_doc = np.zeros(len(docs), dtype=bool)
        in_doc[inverse[rows]] = True
        base += score
        holds += c.weight * in_doc
        if c.occur == "must":
            required &= in_doc
        elif c.qualifies:
            should_count += in_doc
        per_clause.append((present, best, in_doc))
    # With required clauses the optional ones only rank (Lucene's rule); else one is enough.
    needed = 0 if any(c.occur == "must" for c in positive) else 1
    keep_doc = required & (should_count >= needed)
    spread = np.zeros(len(ids))
    for present, best, in_doc in per_clause:
        spread += np.where(present, 0.0, best[inverse])
    coverage = holds / total_weight
    scores = (base + SPREAD * spread) * coverage[inverse] ** COORD
    keep = keep_doc[inverse]
    return _exclude(Matches(ids[keep], scores[keep]), excluded, doc_of)


def _exclude(found: Matches, excluded: list[ClauseMatches], doc_of: np.ndarray) -> Matches:
    """``found`` without the passages of documents that hold an excluded clause anywhere."""
    if not excluded or not len(found):
        return found
    banned = np.unique(np.concatenate([doc_of[c.matches.ids] for c in excluded]))
    keep = ~np.isin(doc_of[found.ids], banned)
    return Matches(found.ids[keep], found.scores[keep])
