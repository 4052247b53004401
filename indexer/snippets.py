"""Snippets: the best short window of a passage, with the matched words' character offsets.

Matching reuses the index analysers, so a snippet highlights exactly what the
query matched ("enfants" for the query "enfant", "événements" for "evenements").

The work per passage is kept to what runs in C: the passage's distinct words are
cut by one ``findall``; the words already met are looked up by set operations in
a memo of the analysers' answers (analysis is a pure function of the word, so the
memo holds across requests and index generations), and only the words never met
before are analysed; the matched words, usually one or two, are then found with
``str.find``. A passage met before (known by its length and hash) is not cut
again: the memo's words that become a query term are looked for in it directly.
Every word of the passage is still considered, so the window chosen and the
highlights are those of analysing every word (tests/test_snippet_speed.py).
"""

from __future__ import annotations

import re
import threading

from archive.textutil import fold
from indexer.analysis import STEMMERS, WORD_PATTERN, indexed_forms
from indexer.whoosh.schema import LANG_FIELDS, NEUTRAL_FIELD, TITLE_FIELD

ELLIPSIS = "…"
#: The field of a :func:`phrase_term`.
PHRASE = "phrase"

# WORD_PATTERN is a run of word characters (``\w+``): a word of the passage is an occurrence of
# its text with no word character on either side, which is what _occurrences looks for.
_WORD = re.compile(WORD_PATTERN)
_WORD_CHAR = re.compile(r"\w")

#: Distinct words (and passages) remembered per language before the memo starts again: an
#: archive's vocabulary, case variants included, is far smaller; the limit only bounds memory.
VOCABULARY_LIMIT = 400_000


class _Vocabulary:
    """What the analysers made of the words met in one language's passages (``lang`` None: passages
    of no stemmed language): the words grouped by the term each becomes in the language-neutral
    analyser and in the language's own (None: a stop word), and the passages all of whose words are known."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.seen: set[str] = set()
        self.neutral: dict[str | None, set[str]] = {}
        # Without a stemmer, the language's analyser is the neutral one.
        self.stemmed: dict[str | None, set[str]] = {} if lang else self.neutral
        #: (length, hash) of each passage whose words were all learnt: such a passage is not cut
        #: into words again. A 64-bit hash and the length: a false "known" has odds of about one
        #: in 10^9 per million passages, and would still need the other passage to hold a new
        #: word of the query.
        self.passages: set[tuple[int, int]] = set()

    def learn(self, words: set[str]) -> None:
        new = words.difference(self.seen)
        if not new:
            return
        _group(self.neutral, indexed_forms(new, None))
        if self.lang:
            _group(self.stemmed, indexed_forms(new, self.lang))
        self.seen |= new

    def words_for(self, neutral: set[str], stemmed: set[str]) -> set[str]:
        """Every known word that becomes one of the ``neutral`` terms or of the ``stemmed`` ones."""
        found: set[str] = set()
        for terms, groups in ((neutral, self.neutral), (stemmed, self.stemmed)):
            for term in terms:
                group = groups.get(term)
                if group:
                    found |= group
        return found


def _group(groups: dict[str | None, set[str]], forms: dict[str, str | None]) -> None:
    for word, term in forms.items():
        group = groups.get(term)
        if group is None:
            groups[term] = {word}
        else:
            group.add(word)


_VOCABULARIES: dict[str | None, _Vocabulary] = {}
_LOCK = threading.Lock()


def _matching_words(text: str, lang: str | None, neutral: set[str], stemmed: set[str]) -> set[str]:
    """The words of ``text`` that the language-neutral analyser turns into a term of ``neutral`` or the
    analyser of ``lang`` into one of ``stemmed``, or a superset of them that holds no other word of ``text``."""
    key = lang if lang in STEMMERS else None
    passage = (len(text), hash(text))
    with _LOCK:
        vocabulary = _VOCABULARIES.get(key)
        if vocabulary is None or len(vocabulary.seen) > VOCABULARY_LIMIT or len(vocabulary.passages) > VOCABULARY_LIMIT:
            vocabulary = _VOCABULARIES[key] = _Vocabulary(key)
        if passage in vocabulary.passages:
            return vocabulary.words_for(neutral, stemmed)
        distinct = set(_WORD.findall(text))
        vocabulary.learn(distinct)
        vocabulary.passages.add(passage)
        return distinct.intersection(vocabulary.words_for(neutral, stemmed))


def _occurrences(text: str, word: str) -> list[tuple[int, int]]:
    """Spans of ``word`` in ``text`` as a whole word (as ``_WORD`` cuts the text)."""
    out = []
    size, length = len(word), len(text)
    start = text.find(word)
    while start >= 0:
        end = start + size
        if (start == 0 or not _WORD_CHAR.match(text, start - 1)) and (end == length or not _WORD_CHAR.match(text, end)):
            out.append((start, end))
        # An occurrence cut out of a longer word cannot overlap a whole-word one (its
        # characters are word characters), so the search goes on after it.
        start = text.find(word, end)
    return out


def phrase_term(words, slop: int = 1) -> tuple[str, str]:
    """The term that marks a phrase: each run of ``words`` (folded, in this order, at most
    ``slop`` - 1 other words between them) is one span, function words included; outside
    such a run its words are not marked."""
    key = " ".join(fold(w.lower()) for w in words)
    return PHRASE, key + (f"~{slop}" if slop > 1 else "")


def _phrase_spans(text: str, phrases: list[str]) -> list[tuple[int, int]]:
    found = [(m.start(), m.end(), fold(m.group().lower())) for m in _WORD.finditer(text)]
    words = [w for _, _, w in found]
    spans = []
    for key in phrases:
        key, _, slop = key.partition("~")
        wanted = key.split()
        gaps = int(slop) - 1 if slop else 0
        for i, word in enumerate(words):
            if word != wanted[0]:
                continue
            end = i
            for w in wanted[1:]:
                limit = min(len(words), end + 2 + gaps)
                nxt = next((k for k in range(end + 1, limit) if words[k] == w), None)
                if nxt is None:
                    break
                end = nxt
            else:
                spans.append((found[i][0], found[end][1]))
    return spans


def match_spans(text: str, lang: str, terms: set[tuple[str, str]]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` that match the query ``terms`` ((field, token)
    pairs; a :func:`phrase_term` marks each run of its words as one span).

    The words are those of the index analysers (``indexer.analysis``); each distinct
    word is analysed once per process (see the module's docstring).
    """
    wanted_neutral = {t for f, t in terms if f in (NEUTRAL_FIELD, TITLE_FIELD)}
    field = LANG_FIELDS.get(lang)
    wanted_lang = {t for f, t in terms if f == field} if field else set()
    phrases = [t for f, t in terms if f == PHRASE]
    if not wanted_neutral and not wanted_lang and not phrases:
        return []
    spans = []
    if wanted_neutral or wanted_lang:
        for word in _matching_words(text, lang, wanted_neutral, wanted_lang):
            spans += _occurrences(text, word)
    if phrases:
        spans = _disjoint(_phrase_spans(text, phrases) + spans)
    spans.sort()
    return spans


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans without those overlapping an earlier or longer one (a phrase holds its words)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda se: (se[0], -se[1])):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


def make_snippet(text: str, lang: str, terms: set[tuple[str, str]], max_chars: int = 220) -> tuple[str, list[list[int]]]:
    """The window of about ``max_chars`` with the most distinct matched words, and their offsets in it;
    ``max_chars`` 0 (or less): no snippet, and no work (``SearchRequest(snippet_chars=0)``)."""
    if max_chars <= 0:
        return "", []
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
    """Where the window starts: at the match that opens the window of ``width`` characters with the most
    distinct matched words (ten points each) and then the most matches (one point each); the first such."""
    if not spans:
        return 0
    words = [text[s:e].lower() for s, e in spans]
    # Spans are sorted and disjoint, so the matches that fit in the window opened by match i are
    # matches i..k-1, and k only grows with i: one pass, with the words of the window counted.
    best, best_score = 0, -1
    counts: dict[str, int] = {}
    k = 0
    for i, (s, _) in enumerate(spans):
        if k < i:
            k = i
        limit = s + width
        while k < len(spans) and spans[k][1] <= limit:
            counts[words[k]] = counts.get(words[k], 0) + 1
            k += 1
        score = len(counts) * 10 + (k - i)
        if score > best_score:
            best, best_score = i, score
        if k > i:  # match i leaves the window
            left = counts[words[i]] - 1
            if left:
                counts[words[i]] = left
            else:
                del counts[words[i]]
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
