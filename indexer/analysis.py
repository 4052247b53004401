"""Text analysis, one pipeline per language, shared by indexing and querying.

French, Dutch and English text goes through ``words | lowercase | fold | stop | stem``;
the language-neutral pipeline (for passages of unknown language, titles, exact
and phrase matching, and "did you mean") stops after folding. Folding comes
before stemming so that "evenements", "événements" and "évènements" meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from .whoosh.stoplists import stoplists

#: Bump when any pipeline changes: the index records it and is rebuilt on mismatch.
ANALYSIS_VERSION = 1

# Letters and digits; apostrophes and hyphens split words ("l'enfant" -> l, enfant;
# "Make-IT-Safe" -> make, it, safe), and the split-off elisions are stop words.
WORD_PATTERN = r"\w+"

STEMMERS = {"fr": "french", "nl": "dutch", "en": "english"}
_ELISIONS = {
    "fr": {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"},
    "nl": {"t", "s"},
    "en": {"s", "t", "d", "ll", "re", "ve"},
}

# Frequent function words missing from Whoosh's lists.
_EXTRA_STOPS = {
    "fr": {"les", "des", "du", "au", "aux", "un", "une", "ces", "cette", "cet", "dont", "ont", "est", "sont", "ete", "comme", "mais", "ou", "donc", "plus"},
    "nl": {"de", "het", "een", "en", "van", "zijn", "ook", "naar", "door", "bij"},
    "en": {"the", "a", "an", "of", "and", "to", "in", "is", "are", "was", "were"},
}

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"})


def fold_word(word: str) -> str:
    """Strip accents and expand ligatures: "évènements" -> "evenements", "œuvre" -> "oeuvre"."""
    if word.isascii():
        return word
    word = word.translate(_LIGATURES)
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_LIGATURE = re.compile("[" + "".join(chr(c) for c in _LIGATURES) + "]")
_LATIN_MARKS = re.compile("[\u0300-\u036f]+")  # the combining marks of accented Latin letters
_NON_ASCII = re.compile("[^\x00-\x7f]")


def fold_text(text: str) -> str:
    """:func:`fold_word` for a whole text, with string operations that run in C."""
    if text.isascii():
        return text
    for ligature in set(_LIGATURE.findall(text)):  # str.replace: far faster than translate
        text = text.replace(ligature, _LIGATURES[ord(ligature)])
    text = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text))
    if not text.isascii():  # other scripts' combining marks, rare
        marks = {ord(c): None for c in set(_NON_ASCII.findall(text)) if unicodedata.combining(c)}
        if marks:
            text = text.translate(marks)
    return text


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    return frozenset(fold_word(w) for w in stoplists[lang]) | _ELISIONS[lang] | _EXTRA_STOPS[lang]


@lru_cache(maxsize=None)
def _stemmer(lang: str):
    import Stemmer

    return Stemmer.Stemmer(STEMMERS[lang])


#: Words whose analysed form is remembered, per language (the vocabulary of an archive is
#: small and Zipfian: snippets and queries meet the same words again and again).
FORMS_CACHE = 400_000
_FORMS: dict[str | None, dict[str, str | None]] = {}


def indexed_forms(words: Iterable[str], lang: str | None) -> dict[str, str | None]:
    """The term each word (as the tokenizer cuts it) becomes in the analyser of ``lang``
    (None when a stop word), for many words at once: stemming runs on the whole batch of
    words not seen before."""
    known = _FORMS.setdefault(lang if lang in STEMMERS else None, {})
    out = {}
    new = []
    for w in words:
        form = known.get(w, known)
        if form is known:
            new.append(w)
        else:
            out[w] = form
    if new:
        found = _analyse(new, lang)
        if len(known) + len(found) > FORMS_CACHE:
            known.clear()
        known.update(found)
        out.update(found)
    return out


def _analyse(words: list[str], lang: str | None) -> dict[str, str | None]:
    folded = {w: fold_word(w.lower()) for w in words}
    if lang not in STEMMERS:
        return folded
    stops = stop_words(lang)
    keep = sorted({f for f in folded.values() if f not in stops})
    stems = dict(zip(keep, _stemmer(lang).stemWords(keep)))
    return {w: stems.get(f) for w, f in folded.items()}
