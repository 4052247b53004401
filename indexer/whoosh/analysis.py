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


# --- indexing a text at once ------------------------------------------------------------
#
# Whoosh indexes a value token by token: each word goes through a chain of generators (tokenizer,
# lowercase, fold, stop, stem) and then into the format's dictionaries, about 3 µs a word, for
# every text field of every passage. The filters of the archive's analysers look at one word at a
# time, so the term a word becomes depends on the word alone: :class:`TermsOf` remembers it, and a
# passage's terms are counted in one pass over the tokenizer's matches.

#: Filters whose output for a token depends on that token's text alone (none reads a neighbour).
_ONE_WORD_FILTERS = (LowercaseFilter, FoldFilter, StopFilter, PyStemmerFilter)
#: Words remembered per analyser before the memory is cleared (a vocabulary is Zipfian).
TERMS_REMEMBERED = 300_000


class TermsOf:
    """The term each word (as the tokenizer cuts it) becomes in ``analyzer``, None for a stop word;
    None altogether (``TermsOf.for_analyzer``) when the analyser is not a tokenizer followed by
    one-word filters, or has a stop filter and positions are wanted (it renumbers positions)."""

    def __init__(self, analyzer):
        from whoosh.analysis import Token

        self.expression = analyzer.items[0].expression
        self.filters = analyzer.items[1:]
        self.stops = any(type(f) is StopFilter for f in self.filters)
        self._token = Token
        self._known: dict[str, str | None] = {}

    @classmethod
    def for_analyzer(cls, analyzer, positions: bool) -> "TermsOf | None":
        items = getattr(analyzer, "items", None)
        if not items or type(items[0]) is not RegexTokenizer or items[0].gaps or items[0].expression.groups:
            return None
        if not all(type(f) in _ONE_WORD_FILTERS for f in items[1:]):
            return None
        terms = cls(analyzer)
        return None if positions and terms.stops else terms

    def _term(self, word: str) -> str | None:
        token = self._token(positions=False, chars=False, removestops=True, mode="index")
        token.text, token.boost, token.stopped = word, 1.0, False
        stream = iter((token,))
        for f in self.filters:
            stream = f(stream)
        out = next(stream, None)
        return None if out is None else out.text

    def words(self, text: str) -> list[str]:
        return self.expression.findall(text)

    def terms(self, words: list[str]) -> list[str | None]:
        known = self._known
        out = []
        for word in words:
            term = known.get(word, known)
            if term is known:
                if len(known) >= TERMS_REMEMBERED:
                    known.clear()
                term = known[word] = self._term(word)
            out.append(term)
        return out
