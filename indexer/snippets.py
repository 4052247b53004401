"""Snippets: the best short window of a passage, with the matched words' character offsets.

Matching reuses the index analysers, so a snippet highlights exactly what the
query matched ("enfants" for the query "enfant", "événements" for "evenements").
"""

from __future__ import annotations

import re

from indexer.analysis import WORD_PATTERN, indexed_forms
from indexer.whoosh.schema import LANG_FIELDS, NEUTRAL_FIELD, TITLE_FIELD

ELLIPSIS = "…"


_WORD = re.compile(WORD_PATTERN)


def match_spans(text: str, lang: str, terms: set[tuple[str, str]]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` that match the query ``terms`` ((field, token) pairs).

    The words are those of the index analysers (``indexer.analysis``), each distinct
    word analysed once, its stem computed in one batch.
    """
    wanted_neutral = {t for f, t in terms if f in (NEUTRAL_FIELD, TITLE_FIELD)}
    field = LANG_FIELDS.get(lang)
    wanted_lang = {t for f, t in terms if f == field} if field else set()
    if not wanted_neutral and not wanted_lang:
        return []
    words = list(_WORD.finditer(text))
    distinct = {m.group() for m in words}
    neutral = indexed_forms(distinct, None) if wanted_neutral else {}
    stemmed = indexed_forms(distinct, lang) if wanted_lang else {}
    spans = []
    for m in words:
        word = m.group()
        if neutral.get(word) in wanted_neutral or stemmed.get(word) in wanted_lang:
            spans.append((m.start(), m.end()))
    return spans


def make_snippet(text: str, lang: str, terms: set[tuple[str, str]], max_chars: int = 220) -> tuple[str, list[list[int]]]:
    """The window of about ``max_chars`` with the most distinct matched words, and their offsets in it."""
    text = " ".join(text.split())
    if not text:
        return "", []
    spans = match_spans(text, lang, terms)
    if len(text) <= max_chars:
        return text, [[s, e] for s, e in spans]
    start = _best_start(text, spans, max_chars)
    end = min(len(text), start + max_chars)
    # Snap to word boundaries so that no word is cut in half.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + max_chars // 2 else end
    body = text[start:end]
    prefix = ELLIPSIS + " " if start > 0 else ""
    suffix = " " + ELLIPSIS if end < len(text) else ""
    shift = len(prefix) - start
    highlights = [[s + shift, e + shift] for s, e in spans if s >= start and e <= end]
    return prefix + body + suffix, highlights


def _best_start(text: str, spans: list[tuple[int, int]], width: int) -> int:
    if not spans:
        return 0
    best, best_score = 0, -1
    words = [text[s:e].lower() for s, e in spans]
    for i, (s, _) in enumerate(spans):
        window = {words[j] for j in range(i, len(spans)) if spans[j][1] <= s + width}
        score = len(window) * 10 + sum(1 for j in range(i, len(spans)) if spans[j][1] <= s + width)
        if score > best_score:
            best, best_score = i, score
    # Start a little before the first match, at a sentence start when one is near.
    first = spans[best][0]
    lead = max(0, first - width // 4)
    sentence = max(text.rfind(". ", lead, first), text.rfind("? ", lead, first), text.rfind("! ", lead, first))
    return sentence + 2 if sentence >= 0 else lead


def highlight_html(snippet: str, highlights: list[list[int]], escape) -> str:
    """The snippet as HTML with ``<mark>`` around matches; ``escape`` escapes the text between them."""
    out, pos = [], 0
    for s, e in sorted(highlights):
        if s < pos:
            continue
        out.append(escape(snippet[pos:s]))
        out.append("<mark>" + escape(snippet[s:e]) + "</mark>")
        pos = e
    out.append(escape(snippet[pos:]))
    return "".join(out)
