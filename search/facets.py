"""Facet counts over the whole result set, counted in documents, not passages.

Each facet is counted with every filter applied except its own, so the page can
offer the other values of a facet the user already narrowed ("nl (12)" next to
"fr ✓"). Counting reads the index's facet table (plain arrays), not Whoosh
columns.
"""

from __future__ import annotations

from collections import Counter

from indexer.facet_table import FacetTable

from .request import FACET_NAMES


def distinct_docs(table: FacetTable, docnums) -> set[int]:
    doc_of = table.doc_of
    return {doc_of[n] for n in docnums}


def count(table: FacetTable, name: str, docnums) -> dict[str, int]:
    """Documents per value of facet ``name`` among the passages ``docnums``."""
    if name == "lang":
        doc_of, plang, langs = table.doc_of, table.plang, table.langs_seen
        pairs = {(doc_of[n], plang[n]) for n in docnums}
        counts = Counter(langs[code] for _, code in pairs)
        return dict(counts.most_common())
    docs = distinct_docs(table, docnums)
    if name == "project":
        projects = table.projects
        counts = Counter(p for d in docs for p in projects[d])
    else:
        values = table.year if name == "year" else table.type
        counts = Counter(values[d] for d in docs)
    if name == "year":
        counts.pop("0", None)  # unknown year
        return dict(sorted(counts.items(), reverse=True))
    return dict(counts.most_common())


def facet_counts(table: FacetTable, base: set[int], per_filter: dict[str, set[int]]) -> dict[str, dict[str, int]]:
    """``base``: matching passages under the always-applied filters; ``per_filter``: facet -> passages its filter allows."""
    out = {}
    for name in FACET_NAMES:
        docnums = base
        for other, allowed in per_filter.items():
            if other != name:
                docnums = docnums & allowed
        out[name] = count(table, name, docnums)
    return out
