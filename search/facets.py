"""Facet counts over the whole result set, counted in documents, not passages.

Counts read Whoosh's per-document columns for the matching passages. Each facet
is counted with every filter applied except its own, so the page can offer the
other values of a facet the user already narrowed ("nl (12)" next to "fr ✓").
"""

from __future__ import annotations

from collections import Counter

from .request import FACET_NAMES

#: facet name -> index column
COLUMNS = {"year": "year", "lang": "plang", "project": "projects", "type": "type"}


class FacetColumns:
    """Column readers of one searcher, opened once and reused by every query."""

    def __init__(self, reader):
        self.doc_id = reader.column_reader("doc_id")
        self.columns = {name: reader.column_reader(col) for name, col in COLUMNS.items()}

    def distinct_docs(self, docnums) -> set[str]:
        doc_id = self.doc_id
        return {doc_id[n] for n in docnums}

    def count(self, name: str, docnums) -> dict[str, int]:
        """Documents per value of facet ``name`` among the passages ``docnums``."""
        doc_id, column = self.doc_id, self.columns[name]
        seen: set[tuple[str, str]] = set()
        for n in docnums:
            value = column[n]
            if name == "project":
                for project in (value or "").split(","):
                    if project:
                        seen.add((doc_id[n], project))
            else:
                seen.add((doc_id[n], str(value)))
        counts = Counter(value for _, value in seen)
        if name == "year":
            counts.pop("0", None)  # unknown year
            return dict(sorted(counts.items(), reverse=True))
        return dict(counts.most_common())


def facet_counts(columns: FacetColumns, base: set[int], per_filter: dict[str, set[int]]) -> dict[str, dict[str, int]]:
    """``base``: matching passages before filters; ``per_filter``: facet -> passages its filter allows."""
    out = {}
    for name in FACET_NAMES:
        docnums = base
        for other, allowed in per_filter.items():
            if other != name:
                docnums = docnums & allowed
        out[name] = columns.count(name, docnums)
    return out
