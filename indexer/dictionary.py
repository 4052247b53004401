"""A French/Dutch/English dictionary for cross-language query expansion, from FreeDict.

Debian's ``dict-freedict-fra-nld`` (and the five other pairs) install dictd
databases in ``/usr/share/dictd``: ``freedict-fra-nld.index``, one line per
entry (headword, byte offset, byte length; the numbers in base64 digits
``A-Za-z0-9+/``, most significant first), and ``freedict-fra-nld.dict.dz``, the
entries compressed with dictzip (gzip plus a table for random access, which we
do not need: everything is read once). An entry is ``headword /pronunciation/
<part of speech>`` then one line per sense (``1.``, ``2.`` when there are
several), translations separated by commas, notes in brackets.

Each ordered pair (fr->nl, nl->fr, ...) becomes a map from the *analysed form*
of a source word or phrase (``indexer.analysis.indexed_forms``: folded, stop
words dropped, stemmed, so that "Enfants" and "enfant" meet) to weighted
translations, from three kinds of evidence, combined as independent votes:
the entry itself (fra-nld), the reverse dictionary read backwards (nld-fra),
and a pivot through English (fra-eng then eng-nld). Building takes seconds
(75,000 entries, and wordfreq's word lists to rank translations), so the
result is cached (``~/.cache/archive``) under a name derived from the
dictionaries' sizes and times and this module's settings.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from archive.textutil import LazyRegex

from .analysis import ANALYSIS_VERSION, WORD_PATTERN, fold_word, indexed_forms

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "nl", "en")
PAIRS = tuple((a, b) for a in LANGUAGES for b in LANGUAGES if a != b)
_CODES = {"fr": "fra", "nl": "nld", "en": "eng"}
DEFAULT_FOLDER = Path("/usr/share/dictd")
PACKAGES = tuple(f"dict-freedict-{_CODES[a]}-{_CODES[b]}" for a, b in PAIRS)

#: Bump when parsing or weighting changes, so that older cached builds are not used.
BUILD_VERSION = 1

_WORD = LazyRegex(WORD_PATTERN)
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_HEADER = LazyRegex(r"^(?P<head>.*?)\s+/[^/]*/\s*(?:<[^<>]*>)?\s*$")
_SENSE_NUMBER = LazyRegex(r"^\d+\.\s*")
_LABEL = LazyRegex(r"^\w[\w ]*:\s")  # "Note: ...", "see: ...", "Synonyms: ..." in newer FreeDict exports
_BRACKETS = LazyRegex(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>|\{[^{}]*\}")
_OPENING = LazyRegex(r"[(\[<{]")
_UNUSABLE = LazyRegex(r"[()\[\]<>{}/]|\.\.\.|…")  # unbalanced notes, alternatives, patterns ("waar ... heen")
_LETTER = LazyRegex(r"[^\W\d_]")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u00ad": ""})


@dataclass(frozen=True)
class Settings:
    """How much each kind of evidence is trusted, and what is kept."""

    direct: float = 0.9  # the entry of the source word in the src-dst dictionary
    inverted: float = 0.7  # the dst-src dictionary read backwards
    pivot: float = 0.4  # src->third language->dst, times both steps' weights
    pivot_pairs: tuple[tuple[str, str], ...] = (("fr", "nl"), ("nl", "fr"))  # through English
    pivot_only_when_empty: bool = True  # pivot adds noise where the direct dictionaries know the word
    inflected: float = 0.85  # an inflection of the query word, beside an entry of the word itself
    other_form: float = 0.45  # another word with the same stem ("exploitant" for "exploitation")
    min_share_of_best: float = 0.5  # drop translations far less trusted than the best one
    min_zipf: float = 1.0  # wordfreq knows no such word: a typo or glued words ("liveon")
    below_best_zipf: float = 2.5  # archaic or rare next to a common synonym ("laddie" beside "boy")
    max_words: int = 4  # longer translations are explanations, not query terms
    max_translations: int = 6


@dataclass
class Entry:
    """One dictd entry: its headword and its senses, each a list of raw translations."""

    headword: str
    senses: list[list[str]]


# -- reading dictd files ---------------------------------------------------------------

def b64_number(digits: str) -> int:
    """dictd's base64 numbers: "B" is 1, "BA" is 64."""
    n = 0
    for c in digits:
        n = n * 64 + _B64[c]
    return n


def read_index(path: Path) -> list[tuple[str, int, int]]:
    """(headword, offset, length) of each line of a dictd ``.index`` file."""
    rows = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 3:
                rows.append((fields[0], b64_number(fields[1]), b64_number(fields[2])))
    return rows


def read_dictd(index_path: Path, dict_path: Path) -> Iterator[Entry]:
    """The entries of one dictd database (``.dict`` or dictzip'ed ``.dict.dz``), header entries skipped."""
    if dict_path.suffix == ".dz":
        import gzip

        with gzip.open(dict_path) as fh:
            data = fh.read()
    else:
        data = dict_path.read_bytes()
    for head, offset, length in read_index(index_path):
        if head.startswith(("00database", "00-database")):
            continue
        entry = parse_entry(data[offset:offset + length].decode("utf-8", errors="replace"))
        if entry is not None:
            yield entry


def parse_entry(text: str) -> Entry | None:
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return None
    match = _HEADER.match(lines[0])
    headword = match.group("head") if match else lines[0]
    senses = []
    for line in lines[1:]:
        if _LABEL.match(line):
            continue
        parts = [p.strip() for p in _split_outside_brackets(_SENSE_NUMBER.sub("", line))]
        parts = [p for p in parts if p]
        if parts:
            senses.append(parts)
    return Entry(headword.strip(), senses) if senses else None


def _split_outside_brackets(text: str) -> list[str]:
    # "répandre [v. gas, licht of warmte], verspreiden": the comma in brackets is a note's
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([<{":
            depth += 1
        elif c in ")]>}":
            depth = max(0, depth - 1)
        elif c in ",;" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def clean_term(raw: str, lang: str, max_words: int) -> str | None:
    """A headword or translation as a query term: notes removed, or None when unusable.

    "kruisen (van schip)" -> "kruisen"; "vriendelĳk" -> "vriendelijk" (NFKC splits
    the Dutch ligature); "to abuse" -> "abuse"; "waar ... heen" -> None (a pattern,
    not a phrase); more than ``max_words`` words -> None (an explanation).
    """
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw).translate(_DASHES)
    if _OPENING.search(text):
        previous = None
        while previous != text:
            previous, text = text, _BRACKETS.sub(" ", text)
    if _UNUSABLE.search(text):
        return None
    text = " ".join(text.split()).strip(" .,;:!?\"«»")
    if lang == "en" and text[:3].lower() == "to " and len(text) > 3:
        text = text[3:]
    if not _LETTER.search(text) or text.count(" ") >= max_words:
        return None
    return text


def dictionary_files(folder: Path, src: str, dst: str) -> tuple[Path, Path] | None:
    stem = f"freedict-{_CODES[src]}-{_CODES[dst]}"
    index = folder / f"{stem}.index"
    for name in (f"{stem}.dict.dz", f"{stem}.dict"):
        if index.is_file() and (folder / name).is_file():
            return index, folder / name
    return None


# -- building the maps -----------------------------------------------------------------

class _Phrases:
    """The analysed forms of many phrases of one language, each word stemmed once."""

    def __init__(self, lang: str):
        self.lang = lang
        self.stems: dict[str, str | None] = {}
        self.keys: dict[str, str] = {}

    def add(self, phrases: Iterable[str]) -> None:
        new = {w for p in phrases for w in _WORD.findall(p)} - self.stems.keys()
        self.stems.update(indexed_forms(new, self.lang))

    def key(self, phrase: str) -> str:
        """The words' indexed forms, stop words left out: empty for stop words only."""
        key = self.keys.get(phrase)
        if key is None:
            key = self.keys[phrase] = " ".join(s for s in (self.stems[w] for w in _WORD.findall(phrase)) if s)
        return key


def _noisy_or(votes: list[float]) -> float:
    direct, inverted, pivot = votes
    return 1.0 - (1.0 - direct) * (1.0 - inverted) * (1.0 - pivot)


# pair -> analysed source key -> source headword -> translation -> [direct, inverted, pivot]
_Votes = dict[tuple[str, str], dict[str, dict[str, dict[str, list[float]]]]]
# pair -> analysed source key -> packed groups (see _pack)
Maps = dict[tuple[str, str], dict[str, str]]


def build(entries: dict[tuple[str, str], list[Entry]], settings: Settings = Settings()) -> Maps:
    """The translation maps of every pair from the entries of the dictionaries found."""
    phrases = {lang: _Phrases(lang) for lang in LANGUAGES}
    cleaned = {pair: _clean_entries(items, *pair, settings) for pair, items in entries.items()}
    for (src, dst), rows in cleaned.items():
        phrases[src].add(head for head, _ in rows)
        phrases[dst].add(t for _, senses in rows for sense in senses for t in sense)

    votes: _Votes = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))

    def vote(src, dst, source, target, kind, weight):
        key = phrases[src].key(source)
        if not key or not phrases[dst].key(target):  # only stop words: nothing to search for
            return
        if " " not in key and sum(len(w) > 2 for w in _WORD.findall(source)) > 1:
            return  # an idiom around one word ("in any event") is no translation of the word
        cell = votes[src, dst][key][source].setdefault(target, [0.0, 0.0, 0.0])
        cell[kind] = max(cell[kind], weight)

    for (src, dst), rows in cleaned.items():
        # how many headwords give each translation: a word that many entries give is vague backwards
        givers: dict[str, set[str]] = defaultdict(set)
        for head, senses in rows:
            for sense in senses:
                for t in sense:
                    givers[t.lower()].add(head)
        for head, senses in rows:
            share = 1 / math.sqrt(len(senses))  # the senses of a polysemous word share its weight
            for sense in senses:
                for t in sense:
                    vote(src, dst, head, t, 0, settings.direct * share)
                    vote(dst, src, t, head, 1, settings.inverted / math.sqrt(len(givers[t.lower()])))

    if settings.pivot > 0:
        combined = {pair: _combine(by_key) for pair, by_key in votes.items()}
        for src, dst in settings.pivot_pairs:
            mid = next(lang for lang in LANGUAGES if lang not in (src, dst))
            first, second, direct = combined.get((src, mid), {}), combined.get((mid, dst), {}), combined.get((src, dst), {})
            for key, groups in first.items():
                if settings.pivot_only_when_empty and key in direct:
                    continue
                for head, translations in groups.items():
                    for middle, w1 in translations.items():
                        entries = second.get(phrases[mid].key(middle), {})
                        factors = _factors(list(entries), _WORD.findall(middle), mid, settings) if entries else []
                        for targets, factor in zip(entries.values(), factors):
                            for target, w2 in targets.items():
                                cell = votes[src, dst][key][head].setdefault(target, [0.0, 0.0, 0.0])
                                cell[2] = max(cell[2], settings.pivot * w1 * w2 * factor)

    from wordfreq import zipf_frequency  # loading its lists takes a second: only when building

    zipf = {lang: _memo(lambda term, lang=lang: zipf_frequency(term, lang)) for lang in LANGUAGES}
    maps: Maps = {}
    for (src, dst), by_key in votes.items():
        out = maps[src, dst] = {}
        for key, groups in _combine(by_key).items():
            kept = [(head, ranked) for head, translations in groups.items()
                    if (ranked := _rank(translations, zipf[dst], phrases[dst].key, settings))]
            if kept:
                out[key] = _pack(kept)
    return maps


def _clean_entries(entries: list[Entry], src: str, dst: str, settings: Settings) -> list[tuple[str, list[list[str]]]]:
    clean = _memo(lambda raw, lang: clean_term(raw, lang, settings.max_words))
    rows = []
    for entry in entries:
        head = clean(entry.headword, src)
        senses = [[t for t in (clean(raw, dst) for raw in sense) if t] for sense in entry.senses]
        senses = [s for s in senses if s]
        if head and senses:
            rows.append((head, senses))
    return rows


def _memo(function):
    cache = {}

    def memoised(*args):
        if args not in cache:
            cache[args] = function(*args)
        return cache[args]

    return memoised


def _combine(by_key) -> dict[str, dict[str, dict[str, float]]]:
    return {key: {head: {t: _noisy_or(cell) for t, cell in targets.items()} for head, targets in groups.items()}
            for key, groups in by_key.items()}


def _rank(translations: dict[str, float], zipf, key, settings: Settings) -> list[tuple[str, float, float]]:
    """Known words only, one per analysed form, most trusted then most common first."""
    scored = [(t, w, zipf(t)) for t, w in translations.items()]
    scored = [s for s in scored if s[2] >= settings.min_zipf]
    if not scored:
        return []
    best = max(z for _, _, z in scored)
    scored = [s for s in scored if s[2] >= best - settings.below_best_zipf]
    scored.sort(key=lambda s: (-round(s[1], 2), -s[2], s[0]))
    seen, kept = set(), []
    for t, w, z in scored:
        k = key(t)
        if k not in seen:
            seen.add(k)
            kept.append((t, round(w, 3), z))
            if len(kept) == settings.max_translations:
                break
    return kept


# A map's value is one string, so that the cache loads as a few thousand strings rather than
# a million small objects: groups (one per source headword with this key) separated by \x1e,
# fields by \x1f: headword, then term, weight, zipf for each translation.
def _pack(groups: list[tuple[str, list[tuple[str, float, float]]]]) -> str:
    return "\x1e".join("\x1f".join([head, *(f"{t}\x1f{w:g}\x1f{z:g}" for t, w, z in ranked)]) for head, ranked in groups)


def _unpack(packed: str) -> list[tuple[str, list[tuple[str, float, float]]]]:
    groups = []
    for group in packed.split("\x1e"):
        head, *fields = group.split("\x1f")
        groups.append((head, [(fields[i], float(fields[i + 1]), float(fields[i + 2])) for i in range(0, len(fields), 3)]))
    return groups


# -- which entries fit the query word ---------------------------------------------------
# The analysed key joins words that share a stem, also derived ones ("beeld" and "beeldig",
# "gezin" and "gezind"); each entry (group) is weighed by how well its headword fits the
# query word: the word itself, the word without its accents, an inflection of it, or another.

_OTHER, _INFLECTED, _FOLDED, _EXACT = range(4)
_ENDINGS = {
    "fr": ("s", "x", "e", "es", "er", "ir", "re", "ez", "ent", "ons", "ee", "ees"),
    "en": ("s", "es", "ed", "d", "ing"),
    "nl": ("s", "e", "n", "en", "t", "te", "ten", "de", "den"),
}
_CVC = LazyRegex(r"[^aeiou][aeiou][^aeiou]$")


def _bases(word: str, lang: str) -> set[str]:
    """The word with each inflectional ending removed, and spelling undone: jaren -> jaar, stopped -> stop."""
    bases = {word} | {word[:-len(e)] for e in _ENDINGS[lang] if word.endswith(e) and len(word) - len(e) >= 2}
    for base in list(bases):
        if lang in ("en", "nl") and len(base) > 2 and base[-1] == base[-2] and base[-1] not in "aeiou":
            bases.add(base[:-1])
        if lang == "en":
            bases.add(base + "e")
            if base.endswith("i"):
                bases.add(base[:-1] + "y")
        elif lang == "nl" and _CVC.search(base):
            bases.add(base[:-1] + base[-2:])
        elif lang == "fr" and base.endswith("au"):
            bases.add(base[:-1] + "l")
    return bases


def _level(head: str, words: list[str], lang: str) -> int:
    head_words = _WORD.findall(head)
    if [w.lower() for w in head_words] == [w.lower() for w in words]:
        level = _EXACT
    else:
        folded_head = [fold_word(w.lower()) for w in head_words]
        folded = [fold_word(w.lower()) for w in words]
        if folded_head == folded:
            level = _FOLDED
        elif len(folded_head) == len(folded) and all(a == b or _bases(a, lang) & _bases(b, lang)
                                                      for a, b in zip(folded_head, folded)):
            level = _INFLECTED
        else:
            level = _OTHER
    if head[:1].isupper() and not words[0][:1].isupper():  # a name ("Anna", "Pers") for a common word
        level = _INFLECTED if level >= _FOLDED else _OTHER
    return level


def _factors(heads: list[str], words: list[str], lang: str, settings: Settings) -> list[float]:
    """How much to trust each entry's translations for the query ``words``."""
    levels = [_level(head, words, lang) for head in heads]
    best = max(levels)
    # Another word with the same stem ("vent" for "ventes", "mer" for "mères") only when the
    # dictionary has no entry of the word itself: beside one, it is a homograph, not a sense.
    return [1.0 if level == best > _OTHER else settings.inflected if level == _INFLECTED
            else settings.other_form if best == _OTHER else 0.0
            for level in levels]


# -- the dictionary ----------------------------------------------------------------------

def default_folder() -> Path:
    """``$ARCHIVE_DICTIONARIES``, else Debian's ``/usr/share/dictd``."""
    return Path(os.environ.get("ARCHIVE_DICTIONARIES") or DEFAULT_FOLDER)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/archive``, else ``~/.cache/archive``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "archive"


# Plurals the stemmers do not bring back to the headword ("children" stems to "children").
_IRREGULAR = {
    "en": {"children": "child", "women": "woman", "men": "man", "feet": "foot", "teeth": "tooth",
           "mice": "mouse", "geese": "goose", "wives": "wife", "knives": "knife", "thieves": "thief"},
    "fr": {"yeux": "oeil", "travaux": "travail", "cieux": "ciel"},
    "nl": {},
}


def _lemma(word: str, lang: str) -> str | None:
    folded = fold_word(word.lower())
    if folded in _IRREGULAR[lang]:
        return _IRREGULAR[lang][folded]
    if lang == "nl" and folded.endswith("eren") and len(folded) >= 6:  # kinderen, eieren, liederen, volkeren
        return folded[:-4]
    return None


class Dictionary:
    """Weighted translations between French, Dutch and English words and phrases."""

    def __init__(self, maps: Maps, folder: Path, missing: tuple[str, ...] = (), settings: Settings = Settings()):
        self.maps = maps
        self.folder = folder
        self.missing = missing  # the Debian packages not found
        self.settings = settings
        self.from_cache = False
        #: the longest source phrase in words that are not stop words: callers try phrases up to this length
        self.max_phrase_words = max((k.count(" ") + 1 for m in maps.values() for k in m), default=0)

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None, *, cache_dir: str | os.PathLike | None = None,
             use_cache: bool = True, settings: Settings = Settings()) -> "Dictionary":
        """The dictionaries in ``folder`` (default :func:`default_folder`), from the cache when it is current.

        Never raises for missing or unreadable dictionaries: they are logged and
        left out, and :meth:`available` says whether any was found.
        """
        folder = Path(folder) if folder else default_folder()
        found = {pair: files for pair in PAIRS if (files := dictionary_files(folder, *pair))}
        missing = tuple(f"dict-freedict-{_CODES[a]}-{_CODES[b]}" for a, b in PAIRS if (a, b) not in found)
        if not found:
            logger.warning("no FreeDict dictionaries in %s: cross-language search uses the glossary only "
                           "(apt-get install %s, or set $ARCHIVE_DICTIONARIES)", folder, " ".join(PACKAGES))
            return cls({}, folder, missing, settings)
        if missing:
            logger.warning("FreeDict dictionaries missing in %s: %s", folder, " ".join(missing))
        cache = Path(cache_dir or default_cache_dir()) / f"dictionary-{_signature(found, settings)}.pickle"
        if use_cache:
            import pickle  # imported on loading: engines import this module at start-up

            try:
                with open(cache, "rb") as fh:
                    maps = pickle.load(fh)
                dictionary = cls(maps, folder, missing, settings)
                dictionary.from_cache = True
                return dictionary
            except FileNotFoundError:
                pass
            except Exception as exc:  # a damaged cache is rebuilt, never fatal
                logger.warning("%s: unreadable dictionary cache, rebuilding it: %s", cache, exc)
        entries = {}
        for pair, (index, data) in found.items():
            try:
                entries[pair] = list(read_dictd(index, data))
            except (OSError, EOFError, ValueError, KeyError) as exc:  # KeyError: a bad base64 digit
                logger.warning("%s: cannot read this dictionary, left out: %s", data, exc)
        maps = build(entries, settings)
        if use_cache:
            _write_cache(cache, maps)
        return cls(maps, folder, missing, settings)

    def available(self) -> bool:
        return bool(self.maps)

    def translate(self, word_or_phrase: str, src: str, dst: str) -> list[tuple[str, float]]:
        """Translations of a word or phrase of ``src`` into ``dst``, with a confidence in (0, 1],
        best first: surface words and phrases, ready to be put into a query.

        Inflected forms find their entry ("enfants" -> "enfant", "children" -> "child");
        entries of other words with the same stem count less ("exploitant" for "exploitation").
        """
        for lang in (src, dst):
            if lang not in LANGUAGES:
                raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
        by_key = self.maps.get((src, dst))
        words = _WORD.findall(word_or_phrase)
        if not by_key or not words:
            return []
        variants = [words]
        lemmas = [_lemma(w, src) or w for w in words]
        if lemmas != words:
            variants.append(lemmas)
        stems = indexed_forms({w for v in variants for w in v}, src)
        best: dict[str, tuple[float, float]] = {}
        for variant in variants:
            packed = by_key.get(" ".join(s for s in (stems[w] for w in variant) if s))
            if not packed:
                continue
            groups = _unpack(packed)
            for (_, translations), factor in zip(groups, _factors([h for h, _ in groups], variant, src, self.settings)):
                for term, weight, zipf in translations:
                    if weight * factor > best.get(term, (0.0, 0.0))[0]:
                        best[term] = (weight * factor, zipf)
        if not best:
            return []
        # again over all the entries merged: each entry was ranked on its own
        floor = max(w for w, _ in best.values()) * self.settings.min_share_of_best
        rare = max(z for _, z in best.values()) - self.settings.below_best_zipf
        ranked = sorted(((t, w, z) for t, (w, z) in best.items() if w >= floor and z >= rare),
                        key=lambda r: (-round(r[1], 2), -r[2], r[0]))
        return [(term, round(weight, 3)) for term, weight, _ in ranked[:self.settings.max_translations]]


def _signature(found: dict[tuple[str, str], tuple[Path, Path]], settings: Settings) -> str:
    stats = []
    for pair in sorted(found):
        for path in found[pair]:
            st = path.stat()
            stats.append([path.name, st.st_size, st.st_mtime_ns])
    import hashlib

    text = json.dumps([BUILD_VERSION, ANALYSIS_VERSION, _version("wordfreq"), asdict(settings), stats])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version  # slow to import; only when building

    try:
        return version(package)
    except PackageNotFoundError:
        return ""


def _write_cache(path: Path, maps: Maps) -> None:
    # Pickle, not JSON: 27 ms to load instead of 90. It is the user's own cache, written 0600.
    import pickle
    import tempfile

    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".dictionary-", delete=False) as fh:
            temporary = Path(fh.name)
            pickle.dump(maps, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # atomic: concurrent loads see the old file or the new one
        for old in path.parent.glob("dictionary-*.pickle"):  # builds of older files or settings
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        logger.warning("%s: cannot write the dictionary cache (each load will rebuild it): %s", path, exc)
