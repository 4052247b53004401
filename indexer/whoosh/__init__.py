"""The embedded Whoosh engine: the only package of the archive that imports ``whoosh``.

``WhooshEngine`` (in :mod:`.engine`) implements :class:`indexer.contract.Engine`;
the rest of this package is its machinery: schema and analysers, the index on
disk, the writer, the array evaluator, saved postings, facet arrays and the
zero-copy file reader. It is imported on first use, so that importing the
package (for its stop lists) stays cheap.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name == "WhooshEngine":
        from .engine import WhooshEngine

        return WhooshEngine
    raise AttributeError(name)
