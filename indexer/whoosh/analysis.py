"""The analysis pipelines of :mod:`indexer.analysis` as Whoosh analysers, for the schema's fields.

French, Dutch and English text goes through ``words | lowercase | fold | stop | stem``;
the language-neutral pipeline stops after folding.
"""

from __future__ import annotations

from whoosh.analysis import Filter, LowercaseFilter, PyStemmerFilter, RegexTokenizer, StopFilter

from ..analysis import STEMMERS, WORD_PATTERN, fold_word, stop_words


class FoldFilter(Filter):
    """Accent and ligature folding, with a per-filter cache (the vocabulary is small)."""

    def __init__(self):
        self._cache: dict[str, str] = {}

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self._cache = {}

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        cache = self._cache
        for t in tokens:
            text = t.text
            folded = cache.get(text)
            if folded is None:
                folded = fold_word(text)
                if len(cache) < 200_000:
                    cache[text] = folded
            t.text = folded
            yield t


def analyzer_for(lang: str | None):
    """The analyser of one language ("fr", "nl", "en"), or the neutral one for anything else."""
    tokenizer = RegexTokenizer(WORD_PATTERN)
    if lang in STEMMERS:
        # minsize=1 so that one-letter elisions are removed; renumbered positions
        # keep phrases working across removed stop words.
        return tokenizer | LowercaseFilter() | FoldFilter() | StopFilter(stoplist=stop_words(lang), minsize=1) | PyStemmerFilter(STEMMERS[lang], cachesize=100_000)
    return tokenizer | LowercaseFilter() | FoldFilter()
