"""Language detection for French, Dutch and English text.

Two sources of evidence are combined in one naive-Bayes score per language:

* word frequencies from ``wordfreq`` (a large lexicon per language), which
  decide almost everything once a text has a few real words;
* langdetect's character n-gram profiles (only the fr/nl/en ones are loaded),
  which carry the unknown words: names, compounds, typos.

The score is a sum of log-likelihoods, so short texts can be combined with a
prior taken from the surrounding document (``detect_with_context``).
Everything is deterministic: langdetect's random sampling is not used, only
its profiles.  The weights below were tuned on the first half of each file of
the evaluation set and checked on the second half (``bench/eval_langid.py``,
``docs/LANGUAGE.md``).
"""

from __future__ import annotations

import functools
import math
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence

from archive.model import LANGUAGES, UNDETERMINED, Passage

#: Added to every n-gram probability: a profile's zero means "not seen in its
#: training text", not "impossible" (langdetect itself uses 0.5 / 10000).
NGRAM_SMOOTHING = 1e-3
#: N-grams of a word that the lexicons know only break ties; for an unknown
#: word they are all the evidence there is.
NGRAM_WEIGHT_KNOWN = 0.03
NGRAM_WEIGHT_UNKNOWN = 0.3
#: Frequency given to a word a lexicon lacks, a tenth of its rarest entries
#: (zipf 1.0 = 1e-8): absence from one lexicon is real evidence against it.
UNKNOWN_WORD_FREQUENCY = 1e-9
#: Below this top probability a text is "und"; close to the uniform 1/3, so
#: only texts with really no preference are refused.
MIN_CONFIDENCE = 0.40
#: One letter ("a", "y") is not a text in any particular language.
MIN_LETTERS = 2
#: Longer texts are scored on evenly spread windows of this many characters
#: in total: a page's language is settled long before 2000 characters.
SAMPLE_CHARS = 2000
SAMPLE_WINDOWS = 8
#: A share from the document's context never falls below this floor, so a
#: clear short text in a minority language still wins over the prior.
CONTEXT_FLOOR = 0.1
#: Segments of a passage shorter than this (letters) take their language from
#: the document once its distribution is known, not on their own.
SHORT_SEGMENT = 40
#: Segments at least this confident set the document distribution that the
#: short and unclear ones are then read against.
CONFIDENT = 0.9
#: A run of blocks in one language becomes a passage of its own when it has at
#: least this many letters of recognised words (a line or two of text); a
#: shorter one (a name, a caption) stays with its neighbours.
MIN_RUN_LETTERS = 80

# Addresses are made of English-looking fragments (www, com, http) in every language.
_ADDRESSES = re.compile(r"\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_])-\n(?=[^\W\d_])")
_BLOCKS = re.compile(r"\n[ \t\f\v]*\n")


def _cp1252(code: int) -> str:
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return " "


# Text that went through windows-1252 read as Latin-1 carries C1 control
# characters where curly quotes and dashes were (l\x92école); cp1252 gives the
# meaning back.  Code points cp1252 leaves undefined become spaces.
_C1_REPAIR = str.maketrans({code: _cp1252(code) for code in range(0x80, 0xA0)})
_C1 = re.compile("[\u0080-\u009f]")
# UTF-8 read as Latin-1 or cp1252 turns every accented letter into "Ã" or "Â"
# followed by a character of the upper half of those code pages ("Ã©" for é).
_UTF8_AS_LATIN = re.compile("[\u00c2\u00c3][\u0080-\u00bf\u2000-\u203a\u0152-\u0178\u02c6\u02dc\u20ac\u2122]")


class _Model:
    """The n-gram profiles and word lexicons, loaded once per process."""

    def __init__(self) -> None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
        from wordfreq import get_frequency_dict

        factory = DetectorFactory()
        profiles = []
        for lang in LANGUAGES:
            with open(os.path.join(PROFILES_DIRECTORY, lang), encoding="utf-8") as handle:
                profiles.append(handle.read())
        # Only three profiles: the probabilities are then relative to fr/nl/en
        # alone, and Afrikaans or German can never win a Dutch text.
        factory.load_json_profile(profiles)
        order = [factory.get_lang_list().index(lang) for lang in LANGUAGES]
        self.ngrams = {
            gram: tuple(math.log(probs[i] + NGRAM_SMOOTHING) for i in order)
            for gram, probs in factory.word_lang_prob_map.items()
        }
        self.lexicons = [get_frequency_dict(lang) for lang in LANGUAGES]


_model: _Model | None = None
_lock = threading.Lock()


def _get_model() -> _Model:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _Model()
    return _model


def preload() -> None:
    """Load the profiles and lexicons now (about a second, ~100 MB).

    Useful before forking worker processes, so they share the loaded data.
    """
    _get_model()


def repair(text: str) -> str:
    """Undo the commonest encoding damage (cp1252 read as Latin-1, UTF-8 read as Latin-1)."""
    if _C1.search(text):
        text = text.translate(_C1_REPAIR)
    if _UTF8_AS_LATIN.search(text):
        try:
            text = text.encode("cp1252").decode("utf-8")
        except UnicodeError:
            pass  # mixed or genuine "Ã": leave the text as it is
    return text


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    width = SAMPLE_CHARS // SAMPLE_WINDOWS
    step = (len(text) - width) / (SAMPLE_WINDOWS - 1)
    # Windows are cut at arbitrary offsets; the space keeps their torn edge
    # words from joining into one nonsense word.
    return " ".join(text[int(i * step): int(i * step) + width] for i in range(SAMPLE_WINDOWS))


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", repair(text)).translate(_APOSTROPHES)
    # The substring tests spare the regexes a scan of nearly every text.
    if "@" in text or "://" in text or "www." in text:
        text = _ADDRESSES.sub(" ", text)
    if "-\n" in text:
        text = _HYPHEN_BREAK.sub("", text)
    return _WORD.findall(text)


@functools.lru_cache(maxsize=1 << 17)
def _word_score(word: str) -> tuple[float, float, float] | None:
    """Log-likelihood of one word under each language, None if nothing is known of it."""
    model = _get_model()
    word = word.casefold()
    # The lexicons were built with elisions split off (l'|école) but keep the
    # lexicalised ones whole (aujourd'hui, don't), so do the same.
    pieces = [word]
    if "'" in word and not any(word in lexicon for lexicon in model.lexicons):
        pieces = [piece for piece in word.split("'") if piece]
    scores = [0.0, 0.0, 0.0]
    known = False
    for piece in pieces:
        for i, lexicon in enumerate(model.lexicons):
            freq = lexicon.get(piece)
            if freq:
                known = True
            scores[i] += math.log(freq or UNKNOWN_WORD_FREQUENCY)
    weight = NGRAM_WEIGHT_KNOWN if known else NGRAM_WEIGHT_UNKNOWN
    seen_gram = False
    for piece in word.split("'"):
        # The same grams as langdetect's: within one word, with its edges.
        padded = f" {piece} "
        for n in (1, 2, 3):
            for start in range(len(padded) - n + 1):
                logs = model.ngrams.get(padded[start: start + n])
                if logs is not None:
                    seen_gram = True
                    scores[0] += weight * logs[0]
                    scores[1] += weight * logs[1]
                    scores[2] += weight * logs[2]
    if not (known or seen_gram):
        return None
    return scores[0], scores[1], scores[2]


#: Texts up to this long have their evidence remembered (see _evidence).
EVIDENCE_CACHED_CHARS = 4000


def _evidence(text: str) -> tuple[tuple[float, float, float], int] | None:
    """Summed log-likelihoods of the text's words, and how many letters carried them.

    For a sampled long text the letters are scaled up to the whole text, since
    they weigh the text's share of a document.

    A document's blocks are read three times (:func:`split_languages` reads them, then
    :func:`_majority` the runs it keeps, then :func:`detect_passages` the passages it made):
    the evidence of the last few thousand short texts is remembered.
    """
    if len(text) > EVIDENCE_CACHED_CHARS:
        return _evidence_of(text)
    return _remembered_evidence(text)


def _evidence_of(text: str) -> tuple[tuple[float, float, float], int] | None:
    fr = nl = en = 0.0
    letters = 0
    sample = _sample(text)
    for word in _words(sample):
        score = _word_score(word)
        if score is not None:
            fr += score[0]
            nl += score[1]
            en += score[2]
            letters += len(word)
    if letters < MIN_LETTERS:
        return None
    if len(sample) < len(text):
        letters = round(letters * len(text) / len(sample))
    return (fr, nl, en), letters


_remembered_evidence = functools.lru_cache(maxsize=4096)(_evidence_of)


def _normalise(scores: Sequence[float]) -> dict[str, float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return {lang: w / total for lang, w in zip(LANGUAGES, weights)}


def _with_prior(scores: Sequence[float], context: dict[str, float] | None) -> list[float]:
    if not context:
        return list(scores)
    total = sum(max(context.get(lang, 0.0), 0.0) for lang in LANGUAGES)
    if total <= 0:
        return list(scores)
    return [
        s + math.log(max(context.get(lang, 0.0), 0.0) / total + CONTEXT_FLOOR)
        for s, lang in zip(scores, LANGUAGES)
    ]


def _decide(probs: dict[str, float]) -> str:
    if not probs:
        return UNDETERMINED
    lang = max(LANGUAGES, key=lambda code: probs[code])
    return lang if probs[lang] >= MIN_CONFIDENCE else UNDETERMINED


def probabilities(text: str) -> dict[str, float]:
    """Probability of fr, nl and en for ``text`` (sums to 1); empty without any evidence."""
    found = _evidence(text)
    return _normalise(found[0]) if found else {}


def detect(text: str) -> str:
    """The language of ``text``: "fr", "nl", "en", or "und" when the evidence is too weak."""
    return _decide(probabilities(text))


def detect_with_context(text: str, context: dict[str, float] | None) -> str:
    """Like ``detect``, with the document's language shares as a prior.

    The prior only tips texts whose own evidence is weak (a title, a caption,
    a word shared by two languages); a text with no words at all stays "und".
    """
    found = _evidence(text)
    if not found:
        return UNDETERMINED
    return _decide(_normalise(_with_prior(found[0], context)))


def _blocks(text: str) -> Iterable[str]:
    # Extractors separate paragraphs and PDF text boxes (e.g. the two columns
    # of a bilingual page) by blank lines: each block is scored on its own.
    for block in _BLOCKS.split(text):
        if block.strip():
            yield block


def _context(segments: list[tuple[Sequence[float], int]]) -> dict[str, float]:
    """A document's language distribution: letters of its confident segments,
    or, when nothing is clear alone, all the evidence pooled into one guess."""
    context = {lang: 0.0 for lang in LANGUAGES}
    for scores, letters in segments:
        probs = _normalise(scores)
        lang = max(LANGUAGES, key=lambda code: probs[code])
        if letters >= SHORT_SEGMENT and probs[lang] >= CONFIDENT:
            context[lang] += letters
    if not any(context.values()) and segments:
        pooled = [sum(scores[i] for scores, _ in segments) for i in range(len(LANGUAGES))]
        context = _normalise(pooled)
    return context


def detect_passages(passages: list[Passage]) -> tuple[str, dict[str, float]]:
    """Set ``lang`` on each passage and return the document's language and shares.

    Shares are by letters of recognised words, per block of text, so a page
    with a French and a Dutch column counts for both languages while the page
    itself gets the language of its majority.  Short or unclear blocks are read
    against the distribution of the clear ones.
    """
    segments: list[tuple[int, Sequence[float], int]] = []
    for index, passage in enumerate(passages):
        for block in _blocks(passage.text or ""):
            found = _evidence(block)
            if found:
                segments.append((index, found[0], found[1]))

    context = _context([(scores, letters) for _, scores, letters in segments])

    per_passage = [{lang: 0 for lang in LANGUAGES} for _ in passages]
    for index, scores, letters in segments:
        lang = _decide(_normalise(_with_prior(scores, context)))
        if lang != UNDETERMINED:
            per_passage[index][lang] += letters

    totals = {lang: 0 for lang in LANGUAGES}
    for passage, counts in zip(passages, per_passage):
        best = max(LANGUAGES, key=lambda code: counts[code])
        passage.lang = best if counts[best] else UNDETERMINED
        for lang in LANGUAGES:
            totals[lang] += counts[lang]

    grand = sum(totals.values())
    if not grand:
        return UNDETERMINED, {}
    shares = {lang: round(count / grand, 3) for lang, count in totals.items()}
    shares = {lang: share for lang, share in sorted(shares.items(), key=lambda item: -item[1]) if share > 0}
    main = max(LANGUAGES, key=lambda code: totals[code])
    return main, shares


def split_languages(passages: list[Passage]) -> list[Passage]:
    """Passages cut where their text changes language, each piece keeping its page.

    A page of the Belgian official journal prints Dutch and French in two
    columns, a bilingual brochure has a French and a Dutch paragraph under one
    heading; read as one passage, the page gets one language and the other
    half is stemmed wrongly and missed by a language filter. So the blocks of
    a passage (paragraphs and columns, separated by blank lines) are grouped
    into runs of one clear language, read against the document's distribution
    as :func:`detect_passages` reads them (a list of product names in a Dutch
    invoice stays Dutch); unclear or short blocks (headings, names, figures)
    join the run before them, runs under ``MIN_RUN_LETTERS`` join a
    neighbour, and a passage with two runs or more is cut between them.
    """
    texts = [list(_blocks(passage.text or "")) for passage in passages]
    found = [[_evidence(block) for block in blocks] for blocks in texts]
    context = _context([f for evidence in found for f in evidence if f])
    out: list[Passage] = []
    for passage, blocks, evidence in zip(passages, texts, found):
        runs = _language_runs(blocks, evidence, context) if len(blocks) > 1 or len(passage.text or "") > 200 else []
        # Pieces that detect_passages would label alike are one passage after all
        # (a run of English sect names in a French list is read as French there).
        pieces: list[tuple[str, str]] = []
        for blocks_of_run, _, _ in runs:
            text = "\n\n".join(blocks_of_run)
            label = _majority(text, context)
            if pieces and pieces[-1][1] == label:
                pieces[-1] = (pieces[-1][0] + "\n\n" + text, label)
            else:
                pieces.append((text, label))
        if len(pieces) < 2:
            out.append(passage)
            continue
        out.extend(Passage(text, page=passage.page) for text, _ in pieces)
    return out


def _majority(text: str, context: dict[str, float]) -> str:
    """The language :func:`detect_passages` gives a passage of this text."""
    counts = {lang: 0 for lang in LANGUAGES}
    for block in _blocks(text):
        found = _evidence(block)
        if found:
            lang = _decide(_normalise(_with_prior(found[0], context)))
            if lang != UNDETERMINED:
                counts[lang] += found[1]
    best = max(LANGUAGES, key=lambda code: counts[code])
    return best if counts[best] else UNDETERMINED


def _language_runs(blocks: list[str], evidence: list, context: dict[str, float]) -> list[tuple[list[str], str, int]]:
    """The blocks grouped into runs: (blocks, language, letters)."""
    labelled = [piece for block, found in zip(blocks, evidence) for piece in _label_block(block, found, context)]
    if len({lang for _, lang, _ in labelled if lang}) < 2:
        return []
    # Unclear blocks take the language of the clear block before them (or,
    # at the start, after them): short either way.
    runs: list[list] = []
    pending: list[str] = []
    pending_letters = 0
    for block, lang, letters in labelled:
        if lang is None:
            if runs:
                runs[-1][0].append(block)
                runs[-1][2] += letters
            else:
                pending.append(block)
                pending_letters += letters
            continue
        if runs and runs[-1][1] == lang:
            runs[-1][0].append(block)
            runs[-1][2] += letters
        else:
            runs.append([pending + [block], lang, pending_letters + letters])
            pending, pending_letters = [], 0
    # Short runs join a neighbour: the previous run, or the next at the start.
    merged: list[list] = []
    for run in runs:
        if merged and (run[2] < MIN_RUN_LETTERS or merged[-1][1] == run[1]):
            merged[-1][0].extend(run[0])
            merged[-1][2] += run[2]
        elif merged and merged[-1][2] < MIN_RUN_LETTERS:
            run[0][:0] = merged[-1][0]
            run[2] += merged[-1][2]
            merged[-1] = run
        else:
            merged.append(run)
    return [(pieces, lang, letters) for pieces, lang, letters in merged]


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«“(]?[^\W\d_])")


def _label(found: tuple[tuple[float, float, float], int] | None, context: dict[str, float]) -> tuple[str | None, int]:
    """The clear language of a text's evidence read against the document's
    distribution (None if unclear or short), and its letters."""
    if not found:
        return None, 0
    probs = _normalise(_with_prior(found[0], context))
    best = max(LANGUAGES, key=lambda code: probs[code])
    return (best if found[1] >= SHORT_SEGMENT and probs[best] >= CONFIDENT else None), found[1]


def _label_block(block: str, found, context: dict[str, float]) -> list[tuple[str, str | None, int]]:
    """A block with its language; a block that holds sentences in two
    languages ("Cette publication ... Deze publicatie ...") comes back as its
    sentences grouped by language."""
    lang, letters = _label(found, context)
    if letters < 2 * SHORT_SEGMENT:
        return [(block, lang, letters)]
    sentences = _SENTENCE_END.split(" ".join(block.split()))
    if len(sentences) < 2:
        return [(block, lang, letters)]
    # One language's words outweigh the other's in a mixed block, which then
    # looks clear; its first and last sentences tell.
    first, last = (_label(_evidence(sentences[i]), context)[0] for i in (0, -1))
    if lang is not None and first in (lang, None) and last in (lang, None):
        return [(block, lang, letters)]
    groups: list[list] = []
    for sentence in sentences:
        s_lang, s_letters = _label(_evidence(sentence), context)
        if groups and (s_lang is None or s_lang == groups[-1][1] or groups[-1][1] is None):
            groups[-1][0] += " " + sentence
            groups[-1][1] = groups[-1][1] or s_lang
            groups[-1][2] += s_letters
        else:
            groups.append([sentence, s_lang, s_letters])
    if len({g[1] for g in groups if g[1]}) < 2:
        return [(block, lang, letters)]
    return [(text, g_lang, g_letters) for text, g_lang, g_letters in groups]
