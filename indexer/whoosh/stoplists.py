"""Whoosh's stop word lists (Snowball's), the base of :func:`indexer.analysis.stop_words`."""

from whoosh.lang.stopwords import stoplists

__all__ = ["stoplists"]
