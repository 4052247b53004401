"""Mending words that a PDF's typesetting broke apart: spacing accents, stray spaces.

Spacing accents. Some producers draw an accented letter as its base letter
plus a separate accent glyph placed over it. pdfminer maps the glyph to the
spacing accent of the Adobe glyph list (acute ´ U+00B4, grave ` U+0060,
dieresis ¨ U+00A8, circumflex ˆ U+02C6, cedilla ¸ U+00B8, tilde ˜ U+02DC...),
so "président" comes out as "pre´sident" and is never indexed whole. pdfminer
also inserts a word space when a glyph starts further than ``word_margin``
from the right edge of the glyph before it; an accent drawn after its letter
ends inside that letter, so the next glyph looks a space away
("Coo¨ rdinatiecel", "controˆ le"). Each accent is merged with the letter
beside it into the precomposed character (NFC of letter + combining mark).
Accents drawn before their letter ("pr´esident") are handled alike. When
both neighbours could take the accent, the reading whose words wordfreq knows
wins; failing that, the side the paragraph's unambiguous accents took.

* ``´`` and ````` are also typed as apostrophes and quotes ("l´enfant"): they
  are merged only when the word comes out known, or when another word of the
  paragraph did and the word is no elision or contraction ("l´", "n´t").
* ``^`` is a caret in code and formulas ("a^b"): merged only into a known word.
* The space next to an accent is dropped when the two sides are not both
  words and either the joined word is known ("contrô le") or neither side is
  one ("Coö rdinatiecel"); "a` la" stays "à la".

Stray spaces. Justified or letter-spaced text can have gaps inside a word
wider than ``word_margin`` ("chaqu e année", "politiq ues"). Two fragments are
joined only when, in the paragraph's language, neither is a common word and
the joined form is a common word far more frequent than either part;
"de ze" (two words) stays as it is.

Mending only merges accents into letters and removes spaces: no letter is
added, dropped or reordered (a dotless ı under an accent becomes i).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from .. import language
from ..model import LANGUAGES
from .lexicon import COMMON, is_common, word_zipf, zipf

#: Spacing accent -> the combining mark it stands for.
SPACING_ACCENTS = {
    "\u00b4": "\u0301",  # acute
    "\u0060": "\u0300",  # grave
    "\u00a8": "\u0308",  # dieresis
    "\u005e": "\u0302",  # circumflex (ASCII caret)
    "\u02c6": "\u0302",  # circumflex
    "\u00b8": "\u0327",  # cedilla
    "\u02dc": "\u0303",  # tilde
    "\u02d8": "\u0306",  # breve
    "\u02d9": "\u0307",  # dot above
    "\u02da": "\u030a",  # ring
    "\u02db": "\u0328",  # ogonek
    "\u02dd": "\u030b",  # double acute
    "\u02c7": "\u030c",  # caron
    "\u00af": "\u0304",  # macron
}
QUOTE_LIKE = "\u00b4\u0060"
CARET = "^"
#: A reading is known when its words are common in one of the languages;
#: wordfreq's rarer entries include fragments of broken text ("lè" 2.4).
KNOWN = COMMON
#: Fragments under this Zipf value in every language are no words at all.
FRAGMENT = 2.0
#: A split word is joined when the joined form beats both parts by this much
#: (Zipf is a log10 scale: 1.5 is about 30 times as frequent).
JOIN_MARGIN = 1.5
#: A one-letter fragment is joined only to a fragment this long.
MIN_BESIDE_LETTER = 4
#: Words with more accents than this are left alone (2**n readings).
MAX_ACCENTS = 6

_HAS_ACCENT = re.compile("[" + re.escape("".join(SPACING_ACCENTS)) + "]")
_QUOTE = re.escape(QUOTE_LIKE)
# "l´enfant", "jusqu´a", "don´t", "´s-Hertogenbosch": apostrophes, not accents.
# Only consulted for words the lexicon does not know.
_CLITIC = re.compile(
    rf"(?i)(?:^|[^\w{_QUOTE}])(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)[{_QUOTE}][^\W\d_]"  # French elision
    rf"|(?:n[{_QUOTE}]t|[^\W\d_][{_QUOTE}](?:ll|ve))(?:$|[^\w{_QUOTE}])"  # English clitic (not "-e´s", "-e`re")
    rf"|(?:^|[^\w{_QUOTE}])[{_QUOTE}][stn](?:$|[^\w{_QUOTE}])"  # Dutch 's, 't, 'n
)
_OPENERS = "([{«“‘\"'"
_CLOSERS = ")]}»”’\"'.,;:!?"
_DOTLESS = {"\u0131": "i", "\u0237": "j"}


def _is_letter(c: str) -> bool:
    return c.isalpha() and c not in SPACING_ACCENTS  # ˆ and ˇ are modifier *letters*


def _compose(base: str, accent: str) -> str | None:
    """The precomposed letter, or None when Unicode has none (no "r̈")."""
    if not _is_letter(base):
        return None
    composed = unicodedata.normalize("NFC", _DOTLESS.get(base, base) + SPACING_ACCENTS[accent])
    return composed if len(composed) == 1 else None


def _any_zipf(word: str) -> float:
    word = word.lower()
    return max(word_zipf(word, lang) for lang in LANGUAGES)


def _any_common(word: str) -> bool:
    word = word.lower()
    return any(is_common(word, lang) for lang in LANGUAGES)


@dataclass(frozen=True)
class _Reading:
    """One way of merging a word's accents into its letters."""

    text: str
    attached: int  # accents merged
    score: float  # lowest Zipf of the words holding a merged letter; -1 if none
    lefts: int  # accents merged into the letter before them
    quote_like: bool
    caret: bool
    lone: bool  # a merged letter stands alone ("ĺ"): an apostrophe, more likely


def _runs(chars: list[tuple[str, bool]]) -> Iterable[tuple[str, bool]]:
    """Letter runs of a reading, each with whether it holds a merged letter."""
    run: list[str] = []
    merged = False
    for c, flag in [*chars, (" ", False)]:
        if _is_letter(c):
            run.append(c)
            merged = merged or flag
        elif run:
            yield "".join(run), merged
            run, merged = [], False


def _reading(token: str, sites: list[int], sides: tuple[int, ...]) -> _Reading | None:
    chars = [(c, False) for c in token]
    taken: set[int] = set()
    lefts = 0
    quote_like = caret = False
    for i, side in zip(sites, sides):
        if not side:
            continue
        j = i + side
        if j in taken:
            return None  # two accents on one letter
        taken.add(j)
        chars[j] = (_compose(token[j], token[i]) or token[j], True)  # the options only hold letters that compose
        chars[i] = ("", False)
        lefts += side < 0
        quote_like = quote_like or token[i] in QUOTE_LIKE
        caret = caret or token[i] == CARET
    kept = [(c, flag) for c, flag in chars if c]
    merged_runs = [run for run, merged in _runs(kept) if merged]
    score = min((_any_zipf(run) for run in merged_runs), default=-1.0)
    lone = any(len(run) == 1 for run in merged_runs)
    text = "".join(c for c, _ in kept)
    return _Reading(text, len(taken), score, lefts, quote_like, caret, lone)


def _readings(token: str) -> list[_Reading]:
    sites = [i for i, c in enumerate(token) if c in SPACING_ACCENTS]
    if not sites or len(sites) > MAX_ACCENTS:
        return []
    options = []
    for i in sites:
        sides = [0]
        if i > 0 and _compose(token[i - 1], token[i]):
            sides.append(-1)
        if i + 1 < len(token) and _compose(token[i + 1], token[i]):
            sides.append(1)
        options.append(sides)
    found = (_reading(token, sites, combo) for combo in itertools.product(*options))
    return [r for r in found if r is not None]


def _votes(token: str) -> tuple[int, int]:
    """Accents of the token that only the letter before (after) them can take."""
    left = right = 0
    for i, c in enumerate(token):
        if c in SPACING_ACCENTS:
            before = i > 0 and _compose(token[i - 1], c) is not None
            after = i + 1 < len(token) and _compose(token[i + 1], c) is not None
            left += before and not after
            right += after and not before
    return left, right


class _Paragraph:
    """What the accents of one paragraph say about each other."""

    def __init__(self, tokens: list[str]):
        self._cache: dict[str, list[_Reading]] = {}
        left = right = 0
        self.evidence = False
        for token in tokens:
            if _HAS_ACCENT.search(token):
                a, b = _votes(token)
                left, right = left + a, right + b
                # A word known only once its accents are merged shows that
                # this text sets its accents apart.
                self.evidence = self.evidence or any(r.attached and r.score >= KNOWN for r in self.readings(token))
        self.prefer_left = left >= right

    def readings(self, token: str) -> list[_Reading]:
        if token not in self._cache:
            self._cache[token] = _readings(token)
        return self._cache[token]

    def _key(self, r: _Reading) -> tuple[int, float, int]:
        agree = r.lefts if self.prefer_left else r.attached - r.lefts
        return (r.attached, r.score, agree)

    def _allowed(self, token: str, r: _Reading) -> bool:
        if r.caret and r.score < KNOWN:
            return False
        if r.quote_like and r.score < KNOWN:
            return self.evidence and not r.lone and not _CLITIC.search(token)
        return True

    def best(self, token: str) -> str:
        candidates = [r for r in self.readings(token) if r.attached and self._allowed(token, r)]
        if not candidates:
            return token
        return max(candidates, key=self._key).text


def _last_run(text: str) -> str:
    end = len(text)
    start = end
    while start > 0 and _is_letter(text[start - 1]):
        start -= 1
    return text[start:end]


def _first_run(text: str) -> str:
    end = 0
    while end < len(text) and _is_letter(text[end]):
        end += 1
    return text[:end]


def _beside_accent(left: str, right: str) -> tuple[str, str] | None:
    """Two tokens around a space that may be pdfminer's, next to an accent,
    with the accent moved to the side of the letter it belongs to when only
    the letter across the space can take it ("financie ¨le"); else None."""
    if not left or not right:
        return None
    end, start = left[-1], right[0]
    takes_end = len(left) > 1 and _compose(left[-2], end) is not None if end in SPACING_ACCENTS else False
    takes_start = len(right) > 1 and _compose(right[1], start) is not None if start in SPACING_ACCENTS else False
    if takes_end and start.islower() and _is_letter(start):
        return left, right  # "Coo¨ rdinatiecel"
    if takes_start and _is_letter(left[-1]):
        return left, right  # "pr ´esident"
    if end in SPACING_ACCENTS and not takes_end and len(left) > 1 and _compose(start, end):
        return left[:-1], end + right  # the mirror of "financie ¨le"
    if start in SPACING_ACCENTS and not takes_start and len(right) > 1 and _compose(left[-1], start):
        return left + start, right[1:]  # "financie ¨le"
    return None


def _join_beside_accent(head: str, tail: str, crossed: bool) -> bool:
    """``head`` and ``tail``: the letters either side of the space, accents
    merged; ``crossed``: the accent had to cross the space to reach its letter."""
    if min(len(head), len(tail)) < 2:
        return False  # "a` l’ordre": "à" then an elided "l"
    if _any_common(head) and _any_common(tail):
        return False  # "à la", "arrêté le"
    joined, low = _any_zipf(head + tail), min(_any_zipf(head), _any_zipf(tail))
    if joined >= KNOWN and joined > low:
        return True  # "contrô le", "Sû reté"
    # "Coö rdinatiecel": two fragments that are no words at all.
    return not crossed and _any_zipf(head) < FRAGMENT and _any_zipf(tail) < FRAGMENT


def mend_accents(lines: list[str]) -> list[str]:
    """The lines of one paragraph with spacing accents merged into their letters."""
    if not any(_HAS_ACCENT.search(line) for line in lines):
        return lines
    paragraph = _Paragraph([token for line in lines for token in line.split(" ")])
    return [_mend_line(line, paragraph) if _HAS_ACCENT.search(line) else line for line in lines]


def _mend_line(line: str, paragraph: _Paragraph) -> str:
    tokens = line.split(" ")
    out: list[str] = []
    current = tokens[0]
    for token in tokens[1:]:
        pair = _beside_accent(current, token)
        if pair:
            left, right = pair
            head, tail = paragraph.best(left), paragraph.best(right)
            # Only the space beside an accent that was merged is suspect.
            if head[-1:] not in SPACING_ACCENTS and tail[:1] not in SPACING_ACCENTS:
                crossed = pair != (current, token)
                if _join_beside_accent(_last_run(head), _first_run(tail), crossed):
                    current = left + right
                    continue
        out.append(paragraph.best(current))
        current = token
    out.append(paragraph.best(current))
    return " ".join(out)


# --- words split by a stray space ----------------------------------------------------


def _halves(head_token: str, tail_token: str) -> tuple[str, str] | None:
    """The letters either side of a space, when both tokens are letters only
    (bar an opening bracket or quote before, a closing one or punctuation
    after) and the second starts in lowercase."""
    if not tail_token[:1].islower():
        return None
    head = head_token.lstrip(_OPENERS)
    tail = tail_token.rstrip(_CLOSERS)
    if not (head.isalpha() and tail.isalpha()) or (len(head) > 1 and not head[1:].islower()):
        return None
    # A lone letter is only a fragment beside a long one ("chaqu e"); letters
    # spaced out one by one ("a n d") are a heading's letter-spacing.
    if min(len(head), len(tail)) < 2 and max(len(head), len(tail)) < MIN_BESIDE_LETTER:
        return None
    return head.lower(), tail


@functools.lru_cache(maxsize=65536)
def _rare_in(word: str) -> frozenset[str]:
    """The languages in which ``word`` (lowercase) is not a common word."""
    return frozenset(lang for lang in LANGUAGES if not is_common(word, lang))


def _joins_in(head: str, tail: str, lang: str) -> bool:
    if lang not in _rare_in(head) or lang not in _rare_in(tail):
        return False
    joined = zipf(head + tail)[lang]
    return joined >= COMMON and joined >= max(word_zipf(head, lang), word_zipf(tail, lang)) + JOIN_MARGIN


def _may_join(head: str, tail: str) -> bool:
    return any(_joins_in(head, tail, lang) for lang in _rare_in(head) & _rare_in(tail))


def mend_split_words(text: str, lang: str | None = None) -> str:
    """Rejoin words of ``text`` split by a stray space.

    ``lang`` is the text's language; when None it is detected, and only if
    some pair of fragments could be joined at all.
    """
    if " " not in text:
        return text
    tokens = text.split(" ")
    out = [tokens[0]]
    just_joined = False
    for token in tokens[1:]:
        halves = None if just_joined else _halves(out[-1], token)
        if halves and _may_join(*halves):
            if lang is None:
                lang = language.detect(text)
            head, tail = halves
            if lang in LANGUAGES:
                join = _joins_in(head, tail, lang)
            else:  # no clear language: neither part may be a word in any
                join = not _any_common(head) and not _any_common(tail)
            if join:
                out[-1] += token
                just_joined = True
                continue
        out.append(token)
        just_joined = False
    return " ".join(out)
