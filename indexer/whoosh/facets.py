"""Facet counts over the whole result set, counted in documents, not passages.

Each facet is counted with every filter applied except its own, so the page can
offer the other values of a facet the user already narrowed ("nl (12)" next to
"fr ✓"). Counting reads the index's facet table (plain arrays), not Whoosh
columns, as NumPy arrays: a count is a handful of array operations whatever
the number of matching passages.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from indexer.whoosh.facet_table import FacetTable

from ..contract import FACET_NAMES


@dataclass(frozen=True)
class FacetArrays:
    """A facet table as arrays: values become small integer codes."""

    generation: int
    doc_of: np.ndarray  # passage -> document ordinal
    plang: np.ndarray  # passage -> code in langs
    langs: list[str]
    year: np.ndarray  # document -> code in years
    years: list[str]
    type: np.ndarray
    types: list[str]
    pair_doc: np.ndarray  # one (document, project) pair per entry
    pair_project: np.ndarray
    projects: list[str]
    quality: np.ndarray  # passage -> 0..1, how much it reads as running text
    public: np.ndarray  # document -> visible to the public
    main_lang: np.ndarray  # document -> code in main_langs
    main_langs: list[str]
    doc_rank: np.ndarray  # document -> rank of its id among all ids (how ties between documents fall)

    @classmethod
    def of(cls, table: FacetTable) -> "FacetArrays":
        years, year = _codes(table.year)
        types, kind = _codes(table.type)
        main_langs, main_lang = _codes(table.main_lang)
        projects = sorted({p for ps in table.projects for p in ps})
        code = {p: i for i, p in enumerate(projects)}
        pair_doc = np.repeat(np.arange(len(table.projects), dtype=np.int64), [len(ps) for ps in table.projects])
        pair_project = np.array([code[p] for ps in table.projects for p in ps], dtype=np.int64)
        return cls(table.generation, np.asarray(table.doc_of, dtype=np.int64), np.asarray(table.plang, dtype=np.int64),
                   list(table.langs_seen), year, years, kind, types, pair_doc, pair_project, projects,
                   np.frombuffer(table.quality, dtype=np.uint8).astype(np.float64) / 100.0,
                   np.array([v == "public" for v in table.visibility], dtype=bool), main_lang, main_langs,
                   _ranks(table.doc_ids))

    @functools.cached_property
    def tie_rank(self) -> np.ndarray:
        """Passage -> the rank of its document's id: equal scores fall by document id, whatever the
        order the passages were written in (as on OpenSearch)."""
        return self.doc_rank[self.doc_of]

    @functools.cached_property
    def passages_per_doc(self) -> np.ndarray:
        return np.bincount(self.doc_of, minlength=self.documents)

    @property
    def documents(self) -> int:
        return len(self.year)

    def doc_mask(self, passages: np.ndarray) -> np.ndarray:
        """True for each document with a passage in ``passages``."""
        mask = np.zeros(self.documents, dtype=bool)
        mask[self.doc_of[passages]] = True
        return mask

    def distinct_docs(self, passages: np.ndarray) -> np.ndarray:
        """Document ordinals of ``passages``, each once, in order (a mask over the documents: cheaper
        than sorting or hashing the passages' documents, which repeat)."""
        return np.flatnonzero(self.doc_mask(passages))

    def count_docs(self, passages: np.ndarray) -> int:
        """How many documents ``passages`` belong to."""
        return int(np.count_nonzero(self.doc_mask(passages)))


def _codes(values: list[str]) -> tuple[list[str], np.ndarray]:
    if not values:
        return [], np.zeros(0, dtype=np.int64)
    names, codes = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
    return [str(n) for n in names], codes.astype(np.int64)


def _named(names: list[str], counts: np.ndarray) -> dict[str, int]:
    """Non-zero counts, most frequent first (ties by name)."""
    pairs = [(names[i], int(c)) for i, c in enumerate(counts) if c]
    return dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))


def count(arrays: FacetArrays, name: str, passages: np.ndarray) -> dict[str, int]:
    """Documents per value of facet ``name`` among ``passages`` (an array of passage numbers).

    A document counts once per value; for the language facet, once per
    language its matching passages are in.
    """
    if name == "lang":
        width = max(len(arrays.langs), 1)
        # One mark per (document, language) pair, on a grid of documents x languages.
        pairs = np.zeros(arrays.documents * width, dtype=bool)
        pairs[arrays.doc_of[passages] * width + arrays.plang[passages]] = True
        per_lang = pairs.reshape(arrays.documents, width).sum(axis=0) if arrays.documents else np.zeros(width, dtype=np.int64)
        return _named(arrays.langs, per_lang[:len(arrays.langs)])
    if name == "project":
        chosen = arrays.doc_mask(passages)
        found = arrays.pair_project[chosen[arrays.pair_doc]]
        return _named(arrays.projects, np.bincount(found, minlength=len(arrays.projects)))
    docs = arrays.distinct_docs(passages)
    codes, names = (arrays.year, arrays.years) if name == "year" else (arrays.type, arrays.types)
    counts = _named(names, np.bincount(codes[docs], minlength=len(names)))
    if name == "year":
        counts.pop("0", None)  # unknown year
        return dict(sorted(counts.items(), reverse=True))
    return counts


def facet_counts(arrays: FacetArrays, base: np.ndarray, per_filter: dict[str, np.ndarray]) -> dict[str, dict[str, int]]:
    """``base``: matching passages under the always-applied filters; ``per_filter``: facet ->
    boolean mask of the passages its filter allows."""
    out = {}
    for name in FACET_NAMES:
        passages = base
        for other, allowed in per_filter.items():
            if other != name:
                passages = passages[allowed[passages]]
        out[name] = count(arrays, name, passages)
    return out


def _ranks(values: list[str]) -> np.ndarray:
    """Each value's rank in sorted order."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[np.argsort(np.asarray(values, dtype=object), kind="stable")] = np.arange(len(values))
    return ranks
