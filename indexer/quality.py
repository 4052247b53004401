"""How much a passage reads as running text, from 0 (a table of contents, an index, a part
title) to 1 (prose): the search prefers to show the page that talks about a topic over the
contents page that lists it.

Measured once per passage at index time, from signals a person sees at a glance: dot
leaders followed by page numbers ("Introduction ........ 9"), lines that end in a page
number, how many of the words are numbers, and how few words there are.
"""

from __future__ import annotations

import re

# A run of dots (or spaced dots, or underscores) leading to a page number: a contents entry.
_LEADER = re.compile(r"(?:[.·…_]\s?){4,}\s*\d{1,4}\b")
_NUMBERED_LINE = re.compile(r"^.{3,90}?\s\d{1,4}\s*$", re.MULTILINE)
_WORD = re.compile(r"\w+")
#: A passage with fewer words than this is a title page, a part title or a caption.
FULL_LENGTH = 60
#: One contents entry stands for about this many words.
ENTRY_WORDS = 10


def prose_score(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    n = len(words)
    entries = len(_LEADER.findall(text))
    lines = [line for line in text.splitlines() if line.strip()]
    numbered = len(_NUMBERED_LINE.findall(text))
    if len(lines) >= 5 and numbered / len(lines) > 0.5:
        entries = max(entries, numbered)
    contents = min(1.0, entries * ENTRY_WORDS / n)
    numbers = sum(1 for w in words if w.isdigit()) / n
    score = (1.0 - contents) * min(1.0, n / FULL_LENGTH) * (1.0 - max(0.0, numbers - 0.2))
    return max(0.0, min(1.0, score))


def quality_code(text: str) -> int:
    """:func:`prose_score` as a whole number from 0 to 100, as the index stores it."""
    return round(prose_score(text) * 100)
