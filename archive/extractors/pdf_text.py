"""Repairs applied to text taken from PDFs (by layout analysis or by OCR).

PDF text comes as positioned lines, so three artefacts of typesetting have to
be undone before the text is searchable: ligature glyphs (``ﬁ`` is one
character, and "ﬁnal" would not match "final"), words broken across lines by
hyphenation, and line breaks inside paragraphs.

Hyphen at the end of a line, followed by a lowercase letter on the next line:

* a soft hyphen (U+00AD) is always a break: the word is joined;
* the hyphen is kept when the part before it already holds a hyphen, a digit or
  an inner capital ("Make-IT-", "COVID-"), since those are compounds or codes;
* otherwise the word is joined when the joined form is a common English or
  French word (wordfreq Zipf >= 3: "protec-tion", "perfor-mance") or an
  attested Dutch one (Zipf >= 2: "organisa-ties", "advies-centrum");
* if it is not, the hyphen is kept when both halves are common words
  (Zipf >= 3: "peer-experts", "long-term", "peut-être", "zee-eend", the Dutch
  "Informatie- en Adviescentrum", which comes out as "Informatie-en");
* anything else is joined: halves that are not words are syllables.

A hyphen followed by a capital or a digit is kept ("Noord-Brabant", "12-13").

Accents set apart from their letters and words split by a stray space are
mended per paragraph by :mod:`.pdf_repair`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from .lexicon import zipf as _zipf
from .pdf_repair import mend_accents, mend_split_words

_LIGATURES = "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
_LIGATURE_TABLE = {ord(c): unicodedata.normalize("NFKC", c) for c in _LIGATURES}


def _junk_pattern() -> re.Pattern[str]:
    """Characters that carry no searchable text: controls, format characters
    (zero-width spaces, BOM, bidi marks), surrogates and private-use glyphs
    (symbol-font bullets). The soft hyphen is a format character too, but it
    marks a word break, so :func:`join_lines` deals with it."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x10000):  # the astral planes' share is listed below
        # Whitespace controls (tab, newline) stay for str.split to collapse.
        if cp == 0xAD or chr(cp).isspace() or unicodedata.category(chr(cp)) not in ("Cc", "Cf", "Cs", "Co"):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    ranges += [(0xE0000, 0xE007F), (0xF0000, 0x10FFFF)]  # tags, private-use planes
    members = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    # pdfminer writes "(cid:123)" for glyphs its fonts cannot map to Unicode.
    return re.compile(rf"\(cid:\d+\)|[{members}]+")


_JUNK = _junk_pattern()


def clean_line(text: str) -> str:
    """One line of PDF text: ligatures expanded, junk dropped, spaces collapsed."""
    return " ".join(_JUNK.sub("", text).translate(_LIGATURE_TABLE).split())


def repair_ligatures(text: str) -> str:
    """Expand the Latin ligature characters only (NFKC on everything would
    also fold superscripts, fractions and full-width forms)."""
    return text.translate(_LIGATURE_TABLE)


_HYPHENS = "-\u2010\u00ad"
_WORD_BEFORE_HYPHEN = re.compile(r"(\S+)[-\u2010]$")
_LEADING_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def keeps_hyphen(head: str, tail: str) -> bool:
    """Whether ``head-`` at a line end followed by ``tail`` is a real hyphen.

    ``head`` is everything before the hyphen back to the previous space,
    ``tail`` the letters starting the next line (lowercase at the start).
    """
    if any(c.isdigit() or c in _HYPHENS for c in head) or any(c.isupper() for c in head[1:]):
        return True
    head = head.lstrip("([{«“‘\"'").lower()
    tail = tail.lower()
    joined = _zipf(head + tail)
    # Dutch writes compounds as one word, so any attested Dutch form wins; in
    # English and French, sloppy text makes "longterm" or "peutêtre" attested
    # (Zipf 2-3), so the joined form must be common to beat two common halves.
    if joined["nl"] >= 2.0 or max(joined.values()) >= 3.0:
        return False
    return max(_zipf(head).values()) >= 3.0 and max(_zipf(tail).values()) >= 3.0


def join_lines(lines: Iterable[str]) -> str:
    """Join the (cleaned) lines of one paragraph into one line of text."""
    out: list[str] = []
    for line in mend_accents([line for line in lines if line]):
        if not out:
            out.append(line)
            continue
        prev = out[-1]
        last = prev[-1]
        if last == "\u00ad":
            out[-1] = prev[:-1]
        elif last in "-\u2010" and len(prev) > 1 and not prev[-2].isspace():
            first = line[0]
            if first.islower():
                head = _WORD_BEFORE_HYPHEN.search(prev)
                tail = _LEADING_WORD.match(line)
                if head and tail and not keeps_hyphen(head.group(1), tail.group(0)):
                    out[-1] = prev[:-1]
            # A hyphen before a capital or digit is part of a name or range:
            # keep it and do not add a space.
        else:
            out.append(" ")
        out.append(line)
    return mend_split_words("".join(out).replace("\u00ad", ""))


def paragraphs_from_plain_text(text: str) -> list[str]:
    """Split text whose paragraphs are separated by blank lines (OCR output)
    and repair each paragraph."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        joined = join_lines(clean_line(line) for line in block.splitlines())
        if joined:
            paragraphs.append(joined)
    return paragraphs
