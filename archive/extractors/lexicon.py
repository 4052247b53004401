"""Word frequencies for the repairs of PDF text (hyphens, accents, split words).

Frequencies are wordfreq's Zipf values (log10 of occurrences per billion
words: 7 for "de", 3 for a word met once in a million, 0 when unknown).
"""

from __future__ import annotations

import functools
import math
import unicodedata

from ..model import LANGUAGES

#: From this Zipf value on, a string is a word of the language in its own
#: right. wordfreq also counts fragments of broken web text ("ues" 2.5 in
#: French), which stay below it.
COMMON = 3.0

#: Single letters are frequent in every list (initials, enumerations); only
#: these are words.
ONE_LETTER_WORDS = {"fr": frozenset("aàyô"), "nl": frozenset("uao"), "en": frozenset("aio")}


@functools.cache
def _wordfreq():  # type: ignore[no-untyped-def]
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return wordfreq


@functools.cache
def _frequencies(lang: str) -> dict[str, float]:
    wf = _wordfreq()
    # wordfreq caches this dictionary itself: no second copy is made.
    return wf.get_frequency_dict(lang) if wf is not None else {}


def _zipf_of(frequency: float | None) -> float:
    return round(math.log10(frequency) + 9, 2) if frequency else 0.0


@functools.lru_cache(maxsize=65536)
def zipf(word: str) -> dict[str, float]:
    """Zipf frequency of ``word`` (as given: lowercase it first) in each language."""
    wf = _wordfreq()
    if wf is None:
        return {lang: 0.0 for lang in LANGUAGES}
    if word.isalpha():
        # Letters only: wordfreq's tokenizer would make one token of the case-
        # folded word, and running it costs 50 times the look-up (a 300-page
        # report has 18,000 distinct words and pairs to weigh).
        key = unicodedata.normalize("NFC", word.casefold())
        return {lang: _zipf_of(_frequencies(lang).get(key)) for lang in LANGUAGES}
    return {lang: wf.zipf_frequency(word, lang) for lang in LANGUAGES}


def word_zipf(word: str, lang: str) -> float:
    """Zipf frequency of a lowercase word in one language, one-letter non-words at 0."""
    if len(word) == 1 and word not in ONE_LETTER_WORDS[lang]:
        return 0.0
    return zipf(word)[lang]


def is_common(word: str, lang: str) -> bool:
    return word_zipf(word, lang) >= COMMON
