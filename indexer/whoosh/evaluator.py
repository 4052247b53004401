"""Query evaluation on whole posting lists at once, with NumPy.

Whoosh's matchers walk postings one at a time in Python: a query whose words
occur in a few thousand passages spends most of its time in that walk (the
profile in ``docs/PERFORMANCE.md``). Here each term's posting blocks are read
straight into arrays and the same BM25F scores, unions, intersections and
optional clauses are computed with array operations. The results are Whoosh's:
same matching passages, same scores (to float rounding), same order
(``tests/test_index_search.py`` compares them query by query).

Queries made of terms, phrases, ``And``, ``Or``, ``AndMaybe``, ``AndNot``,
``Not`` (inside an ``And``) and ``Every`` are evaluated here; anything else
(prefixes, wildcards, fuzzy terms, ranges...) raises :class:`Unsupported` and
the engine asks Whoosh instead.

Posting lists come from :mod:`indexer.whoosh.postings`: the saved arrays of a
segment's frequent terms when there are some, else Whoosh's own files.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import numpy as np
from whoosh import query as q
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from ..analysis import fold_text
from ..ranking import EMPTY, NO_IDS, NO_SCORES, Matches, intersect, optional, subtract, union
from .postings import SegmentArrays, deleted, leaf_postings, length_bytes
from .schema import NEUTRAL_FIELD, indexed_neutral_text

_LENGTH_OF_BYTE = np.array([0.0] + [float(byte_to_length(b)) for b in range(1, 256)])
TERM_CACHE = 512  # (field, term) score arrays kept per searcher
MASK_CACHE = 64  # filter masks kept per searcher
# Up to this many passages, a phrase is checked on their stored text rather than
# on the words' positions, whose posting lists can be long.
STORED_CHECK = 512


class Unsupported(Exception):
    """A query this module does not evaluate; the caller asks Whoosh instead."""


@dataclass(frozen=True)
class _Postings:
    ids: np.ndarray
    weights: np.ndarray
    values: list | None  # encoded positions, when asked for


class Evaluator:
    """Evaluates queries for one Whoosh searcher (make a new one when the searcher changes)."""

    def __init__(self, searcher, saved: list[SegmentArrays | None] | None = None):
        """``saved``: each segment's saved arrays of frequent terms (see :mod:`indexer.whoosh.postings`), if any."""
        reader = searcher.reader()
        self.searcher = searcher
        self.schema = searcher.schema
        self.size = reader.doc_count_all()
        self.leaves = list(reader.leaf_readers())
        weighting = searcher.weighting
        self.bm25 = weighting if type(weighting) is BM25F else None
        self._lengths: dict[str, np.ndarray] = {}
        self._terms: OrderedDict[tuple, Matches] = OrderedDict()
        self._positions: OrderedDict[tuple, _Postings] = OrderedDict()
        self._masks: OrderedDict[str, np.ndarray] = OrderedDict()
        self._live: np.ndarray | None = None
        self._deleted = [deleted(reader) for reader, _ in self.leaves]
        self._saved = saved if saved is not None and len(saved) == len(self.leaves) else [None] * len(self.leaves)

    # -- whole-index arrays ---------------------------------------------------

    @property
    def live(self) -> np.ndarray:
        """True for every passage that is not deleted."""
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for (_, offset), gone in zip(self.leaves, self._deleted):
                live[gone + offset] = False
            self._live = live
        return self._live

    def lengths(self, field: str) -> np.ndarray:
        """Each passage's length in ``field`` as Whoosh's scorer sees it (one byte, decoded)."""
        out = self._lengths.get(field)
        if out is None:
            codes = np.zeros(self.size, dtype=np.uint8)
            for reader, offset in self.leaves:
                count = reader.doc_count_all()
                codes[offset:offset + count] = length_bytes(reader, field, count)
            out = self._lengths[field] = _LENGTH_OF_BYTE[codes]
        return out

    # -- postings -------------------------------------------------------------

    def _postings(self, field: str, btext: bytes, positions: bool = False) -> _Postings:
        ids, weights, values = [], [], []
        for (reader, offset), gone, saved in zip(self.leaves, self._deleted, self._saved):
            got = saved.get(field, btext) if saved is not None and not positions else None
            if got is not None:
                got = (*got, None)
            else:
                got = leaf_postings(reader, field, btext, positions)
                if got is None:
                    continue
            leaf_ids, leaf_weights, leaf_values = got
            if len(gone) and len(leaf_ids):
                keep = ~np.isin(leaf_ids, gone)
                leaf_ids, leaf_weights = leaf_ids[keep], leaf_weights[keep]
                if leaf_values is not None:
                    leaf_values = [v for v, k in zip(leaf_values, keep) if k]
            ids.append(leaf_ids + offset)
            weights.append(leaf_weights)
            if positions:
                values.extend(leaf_values)
        if not ids:
            return _Postings(NO_IDS, NO_SCORES, [] if positions else None)
        return _Postings(np.concatenate(ids), np.concatenate(weights), values if positions else None)

    def _btext(self, field: str, text) -> bytes | None:
        if field not in self.schema:
            return None
        try:
            return self.schema[field].to_bytes(text)
        except ValueError:
            return None

    def term(self, field: str, text) -> Matches:
        """Passages holding ``text`` in ``field``, with the BM25F score Whoosh gives them."""
        btext = self._btext(field, text)
        if btext is None:
            return EMPTY
        key = (field, btext)
        cached = self._terms.get(key)
        if cached is not None:
            self._terms.move_to_end(key)
            return cached
        postings = self._postings(field, btext)
        field_obj = self.schema[field]
        if not len(postings.ids):
            scores = NO_SCORES
        elif not field_obj.scorable:
            scores = postings.weights  # Whoosh's WeightScorer
        else:
            if self.bm25 is None:
                raise Unsupported("a weighting other than BM25F")
            B = self.bm25._field_B.get(field, self.bm25.B)
            K1 = self.bm25.K1
            idf = self.searcher.idf(field, btext)
            avgfl = self.searcher.avg_field_length(field) or 1
            tf = postings.weights
            fl = self.lengths(field)[postings.ids]
            # The same expression, in the same order, as whoosh.scoring.bm25.
            scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        out = Matches(postings.ids, scores)
        self._terms[key] = out
        if len(self._terms) > TERM_CACHE:
            self._terms.popitem(last=False)
        return out

    # -- queries --------------------------------------------------------------

    def matches(self, node: q.Query) -> Matches:
        """All passages matching ``node``, scored as Whoosh scores them."""
        kind = type(node)
        if kind is q.Term:
            return _boosted(self.term(node.fieldname, node.text), node.boost)
        if node is q.NullQuery:
            return EMPTY
        if kind is q.Every and node.fieldname in (None, "", "*"):
            ids = np.flatnonzero(self.live).astype(np.int64)
            return Matches(ids, np.full(len(ids), float(node.boost)))
        if kind is q.Phrase:
            return self.phrase(node)
        if kind is q.And:
            positive = [c for c in node.subqueries if type(c) is not q.Not]
            negative = [c for c in node.subqueries if type(c) is q.Not]
            if not positive:
                raise Unsupported("an And of negations only")
            result = self.matches(positive[0])
            for child in positive[1:]:
                if not len(result):
                    break
                result = intersect(result, self.matches(child))
            for child in negative:
                result = subtract(result, self.matches(child.query).ids)
                # Whoosh's matcher for a negation scores every passage it lets through at its boost.
                result = Matches(result.ids, result.scores + child.boost)
            return _boosted(result, node.boost)
        if kind is q.Or and node.scale is None and not node.minmatch:
            if any(type(c) is q.Not for c in node.subqueries):
                raise Unsupported("a negation inside Or")
            return _boosted(union([self.matches(c) for c in node.subqueries]), node.boost)
        if kind is q.AndMaybe:
            return _boosted(optional(self.matches(node.a), self.matches(node.b)), node.boost)
        if kind is q.AndNot:
            return _boosted(subtract(self.matches(node.a), self.matches(node.b).ids), node.boost)
        raise Unsupported(kind.__name__)

    def mask(self, node: q.Query, fallback: Callable[[q.Query], np.ndarray]) -> np.ndarray:
        """A boolean array of the passages matching a filter, cached; ``fallback`` gives the ids
        of a query this module does not evaluate."""
        key = repr(node)
        cached = self._masks.get(key)
        if cached is not None:
            self._masks.move_to_end(key)
            return cached
        try:
            ids = self.matches(node).ids
        except Unsupported:
            ids = fallback(node)
        out = np.zeros(self.size, dtype=bool)
        out[ids] = True
        out &= self.live
        self._masks[key] = out
        if len(self._masks) > MASK_CACHE:
            self._masks.popitem(last=False)
        return out

    # -- phrases --------------------------------------------------------------

    def phrase_parts(self, node: q.Phrase) -> tuple[Matches, list[bytes]] | None:
        """Passages holding every word of the phrase (in its field), with the phrase's score
        if it matches there; None when the phrase cannot match anywhere."""
        field = node.fieldname
        if field not in self.schema:
            return None
        if not self.schema[field].format.supports("positions"):
            raise Unsupported("a phrase on a field without positions")
        words = [self._btext(field, w) for w in node.words]
        if any(w is None or (field, w) not in self.searcher.reader() for w in words):
            return None
        result = self.term(field, words[0])
        for word in words[1:]:
            result = intersect(result, self.term(field, word))
        return _boosted(result, node.boost), words

    def phrase_check(self, node: q.Phrase, words: list[bytes], ids: np.ndarray) -> np.ndarray:
        """For each passage in ``ids`` (all holding every word), whether the words stand in
        order within ``node.slop`` of each other, as Whoosh's ``SpanNear2`` decides."""
        field = node.fieldname
        found = np.zeros(len(ids), dtype=bool)
        if not len(ids):
            return found
        if field == NEUTRAL_FIELD and len(ids) <= STORED_CHECK:
            stored = self.searcher.stored_fields
            pattern = _phrase_pattern([w.decode("utf-8") for w in words], node.slop)
            for i, docnum in enumerate(ids):
                text = fold_text(indexed_neutral_text(stored(int(docnum))).lower())
                found[i] = pattern.search(text) is not None
            return found
        decode = self.schema[field].format.decode_positions
        positions = []
        for word in dict.fromkeys(words):
            postings = self._phrase_postings(field, word)
            where = np.searchsorted(postings.ids, ids)
            positions.append((word, where, postings.values))
        by_word = {word: (where, values) for word, where, values in positions}
        for i in range(len(ids)):
            lists = [decode(by_word[w][1][by_word[w][0][i]]) for w in words]
            found[i] = _near_in_order(lists, node.slop)
        return found

    def _phrase_postings(self, field: str, btext: bytes) -> _Postings:
        key = (field, btext)
        cached = self._positions.get(key)
        if cached is None:
            cached = self._positions[key] = self._postings(field, btext, positions=True)
            if len(self._positions) > TERM_CACHE:
                self._positions.popitem(last=False)
        return cached

    def phrase(self, node: q.Phrase) -> Matches:
        parts = self.phrase_parts(node)
        if parts is None:
            return EMPTY
        candidates, words = parts
        keep = self.phrase_check(node, words, candidates.ids)
        return Matches(candidates.ids[keep], candidates.scores[keep])


def _phrase_pattern(words: list[str], slop: int) -> re.Pattern:
    """A regular expression finding, in lowercased and folded text, the words in order with at
    most ``slop - 1`` other words between neighbours: what :func:`_near_in_order` decides
    on positions, since the neutral analyser's words are the text's runs of ``\\w``."""
    gap = rf"(?:\W+\w+){{0,{max(slop - 1, 0)}}}\W+"
    return re.compile(r"(?<!\w)" + gap.join(re.escape(w) for w in words) + r"(?!\w)")


def _near_in_order(lists: list[list[int]], slop: int) -> bool:
    """Whoosh's ordered SpanNear2 with ``mindist=1``: spans grow word by word; the next word
    must start at or after the span's start and stand 1..slop positions from it."""
    spans = {(p, p) for p in lists[0]}
    for positions in lists[1:]:
        grown = set()
        for start, end in spans:
            for p in positions:
                if p < start:
                    continue
                if start <= p <= end:
                    continue  # overlapping: distance 0
                if 1 <= p - end <= slop:
                    grown.add((start, p))
        if not grown:
            return False
        spans = grown
    return True


def _boosted(m: Matches, boost: float) -> Matches:
    return m if boost == 1.0 else Matches(m.ids, m.scores * boost)


