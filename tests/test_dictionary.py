"""The FreeDict dictionary: parsing on small dictd files written here, then the real
Debian dictionaries when they are installed (skipped otherwise)."""

from __future__ import annotations

import gzip
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.dictionary import (
    PACKAGES,
    PAIRS,
    Dictionary,
    Entry,
    b64_number,
    clean_term,
    default_folder,
    dictionary_files,
    parse_entry,
    read_dictd,
    read_index,
)

ROOT = Path(__file__).resolve().parents[1]
_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64(n: int) -> str:
    digits = ""
    while True:
        digits = _DIGITS[n % 64] + digits
        n //= 64
        if n == 0:
            return digits


def write_dictd(folder: Path, name: str, entries: list[str], compress: bool = True) -> None:
    """A dictd database as dictfmt writes it: entries one after the other, an index of
    (headword, offset, length), and the usual 00database header entries."""
    data, index = b"", []
    for text in ["00databaseshort\n    Test dictionary\n", "00databaseutf8\n", *entries]:
        raw = text.encode("utf-8")
        head = text.split("\n", 1)[0].split(" /")[0]
        index.append(f"{head.lower()}\t{b64(len(data))}\t{b64(len(raw))}\n")
        data += raw
    (folder / f"freedict-{name}.index").write_text("".join(sorted(index)), encoding="utf-8")
    if compress:
        (folder / f"freedict-{name}.dict.dz").write_bytes(gzip.compress(data))
    else:
        (folder / f"freedict-{name}.dict").write_bytes(data)


# Real words, so that wordfreq knows them; notes and numbering as in Debian's files.
SMALL = {
    "fra-nld": ["enfant /ãfã/\nkind\n\n", "victime /viktim/\nslachtoffer\n\n", "abus /aby/\nmisbruik (van macht)\n\n",
                "porte /pɔrt/\n1. deur\n2. poort, ingang\n\n", "exploitant /ɛksplwatɑ̃/\nbeheerder\n\n"],
    "nld-fra": ["kind /kint/\nenfant\n\n", "slachtoffer /slɑxtɔfər/\nvictime\n\n", "uitbuiting /œytbœytiŋ/\nexploitation\n\n"],
    "fra-eng": ["enfant /ɑ̃fɑ̃/ <n, masc>\n1. child, infant\n2. kid\n\n", "école /ekɔl/ <n, fem>\nschool\n\n"],
    "eng-fra": ["child /tʃaild/\nenfant\n\n", "school /skuːl/\nécole\n\n"],
    "eng-nld": ["child /tʃaild/\nkind\n\n", "school /skuːl/\nschool\n\n"],
    "nld-eng": ["kind /kint/\n1. child, offspring\n2. infant\n\n", "school /sxoːl/\nschool\n\n"],
}


@pytest.fixture
def small_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "dictd"
    folder.mkdir()
    for name, entries in SMALL.items():
        write_dictd(folder, name, entries, compress=name != "eng-fra")  # one plain .dict as well
    return folder


@pytest.fixture
def small(small_folder: Path, tmp_path: Path) -> Dictionary:
    return Dictionary.load(small_folder, cache_dir=tmp_path / "cache")


# -- parsing --------------------------------------------------------------------------

@pytest.mark.parametrize("digits, number", [("A", 0), ("B", 1), ("/", 63), ("BA", 64), ("BAA", 4096), ("Lh7", 11 * 4096 + 33 * 64 + 59)])
def test_b64_numbers(digits, number):
    assert b64_number(digits) == number
    assert b64(number) == digits


def test_parse_entry_with_pronunciation_part_of_speech_senses_and_notes():
    entry = parse_entry("abaissement /abɛsəmɑ̃/ <n, masc>\n1. abasement\n2. decrease, lowering\n"
                        "3. répandre [v. gas, licht of warmte], verspreiden\nNote: a usage note\n\n")
    assert entry == Entry("abaissement", [["abasement"], ["decrease", "lowering"],
                                          ["répandre [v. gas, licht of warmte]", "verspreiden"]])


def test_parse_entry_without_pronunciation_or_translations():
    assert parse_entry("hello\nbonjour; salut\n") == Entry("hello", [["bonjour", "salut"]])
    assert parse_entry("child /tʃaild/\n\n") is None
    assert parse_entry("") is None


@pytest.mark.parametrize("raw, lang, clean", [
    ("kruisen (van schip)", "nl", "kruisen"),
    ("malin [med.]", "fr", "malin"),
    ("vriendelĳk", "nl", "vriendelijk"),  # the Dutch ligature ĳ, as FreeDict writes it
    ("compte‐rendu", "fr", "compte-rendu"),  # U+2010 hyphen
    ("to abuse", "en", "abuse"),
    ("to the", "en", "the"),  # the caller drops translations that are only stop words
    ("hoe gaat het?", "nl", "hoe gaat het"),
    ("waar ... heen", "nl", None),
    ("il y a ...", "fr", None),
    ("a shop where drugs are sold", "en", None),
    ("[med.]", "fr", None),
    ("42", "en", None),
])
def test_clean_term(raw, lang, clean):
    assert clean_term(raw, lang, max_words=4) == clean


@pytest.mark.parametrize("compress", [True, False])
def test_read_dictd_reads_every_entry_and_skips_the_header(tmp_path, compress):
    write_dictd(tmp_path, "fra-nld", ["bien /bjɛ̃/ <adj>\ngoed\n\n", "bien /bjɛ̃/ <n>\nbezit, goed\n\n", "enfant\nkind\n\n"], compress)
    suffix = ".dict.dz" if compress else ".dict"
    index = read_index(tmp_path / "freedict-fra-nld.index")
    assert len(index) == 5 and all(length > 0 for _, _, length in index)
    entries = list(read_dictd(tmp_path / "freedict-fra-nld.index", tmp_path / f"freedict-fra-nld{suffix}"))
    assert sorted((e.headword, e.senses) for e in entries) == [
        ("bien", [["bezit", "goed"]]), ("bien", [["goed"]]), ("enfant", [["kind"]])]
    assert dictionary_files(tmp_path, "fr", "nl") == (tmp_path / "freedict-fra-nld.index", tmp_path / f"freedict-fra-nld{suffix}")
    assert dictionary_files(tmp_path, "nl", "fr") is None


# -- the dictionary on small files ----------------------------------------------------

def test_direct_inverted_and_inflected(small):
    assert small.available() and not small.missing
    kind = small.translate("enfant", "fr", "nl")
    assert [t for t, _ in kind] == ["kind"]
    assert small.translate("Enfants", "fr", "nl") == kind
    # only nld-fra knows "uitbuiting": inverted, so trusted less than an entry both directions give
    assert small.translate("exploitation", "fr", "nl")[0] == ("uitbuiting", pytest.approx(0.7))
    assert kind[0][1] == pytest.approx(1 - 0.1 * 0.3)  # 0.9 and 0.7, as independent votes
    assert small.translate("misbruik", "nl", "fr") == [("abus", pytest.approx(0.7))]
    assert small.translate("abus", "fr", "nl") == [("misbruik", pytest.approx(0.9))]  # the note is gone


def test_weights_are_confidences_best_first(small):
    for src, dst in PAIRS:
        for word in ("enfant", "kind", "child", "school", "porte", "victime"):
            translations = small.translate(word, src, dst)
            weights = [w for _, w in translations]
            assert all(0 < w <= 1 for w in weights)
            assert weights == sorted(weights, reverse=True)


def test_senses_share_the_weight_and_stem_mates_count_less(small):
    porte = dict(small.translate("porte", "fr", "nl"))
    assert porte.keys() == {"deur", "poort", "ingang"}
    assert porte["deur"] == porte["poort"] == pytest.approx(0.9 / 2 ** 0.5, abs=0.001)  # two senses
    # "exploitant" shares the stem "exploit" with "exploitation", but it is another word: beside
    # an entry of the word itself, its translations are left out
    assert small.translate("exploitation", "fr", "nl") == [("uitbuiting", pytest.approx(0.7))]
    assert small.translate("exploitant", "fr", "nl") == [("beheerder", pytest.approx(0.9))]
    # ... and where the word has no entry of its own, the stem mates' count, less
    assert small.translate("exploiter", "fr", "nl") == [("beheerder", pytest.approx(0.9 * 0.45)),
                                                        ("uitbuiting", pytest.approx(0.7 * 0.45))]


def test_pivot_through_english_only_where_the_direct_dictionaries_know_nothing(small):
    (school, weight), = small.translate("école", "fr", "nl")
    assert school == "school" and weight < 0.5
    assert all(w > 0.5 for _, w in small.translate("enfant", "fr", "nl"))


def test_irregular_plurals(small):
    assert [t for t, _ in small.translate("children", "en", "fr")] == ["enfant"]
    assert [t for t, _ in small.translate("kinderen", "nl", "fr")] == ["enfant"]


def test_unknown_words_and_languages(small):
    assert small.translate("zzzyx", "fr", "nl") == []
    assert small.translate("", "fr", "nl") == []
    assert small.translate("les", "fr", "nl") == []  # a stop word
    with pytest.raises(ValueError, match="unknown language 'de'"):
        small.translate("Kind", "de", "fr")


def test_cache_is_reused_and_rebuilt_when_a_dictionary_changes(small_folder, tmp_path):
    cache = tmp_path / "cache2"
    first = Dictionary.load(small_folder, cache_dir=cache)
    assert not first.from_cache and len(list(cache.glob("dictionary-*.pickle"))) == 1
    second = Dictionary.load(small_folder, cache_dir=cache)
    assert second.from_cache and second.maps == first.maps
    write_dictd(small_folder, "fra-nld", [*SMALL["fra-nld"], "maison /mɛzɔ̃/\nhuis\n\n"])
    third = Dictionary.load(small_folder, cache_dir=cache)
    assert not third.from_cache and third.translate("maison", "fr", "nl") == [("huis", pytest.approx(0.9))]
    assert len(list(cache.glob("dictionary-*.pickle"))) == 1  # the outdated build was removed


def test_a_damaged_cache_is_rebuilt(small_folder, tmp_path, caplog):
    cache = tmp_path / "cache3"
    Dictionary.load(small_folder, cache_dir=cache)
    next(cache.glob("dictionary-*.pickle")).write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="indexer.dictionary"):
        again = Dictionary.load(small_folder, cache_dir=cache)
    assert not again.from_cache and again.translate("kind", "nl", "fr")
    assert "unreadable dictionary cache" in caplog.text


def test_missing_dictionaries_are_logged_never_fatal(tmp_path, caplog, monkeypatch):
    with caplog.at_level(logging.WARNING, logger="indexer.dictionary"):
        missing = Dictionary.load(tmp_path / "nowhere", cache_dir=tmp_path / "cache")
    assert not missing.available() and missing.translate("enfant", "fr", "nl") == []
    assert set(missing.missing) == set(PACKAGES)
    assert "no FreeDict dictionaries" in caplog.text and "apt-get install dict-freedict-" in caplog.text

    monkeypatch.setenv("ARCHIVE_DICTIONARIES", str(tmp_path / "elsewhere"))
    assert default_folder() == tmp_path / "elsewhere"
    assert not Dictionary.load(cache_dir=tmp_path / "cache").available()


def test_some_dictionaries_missing_or_broken(small_folder, tmp_path, caplog):
    (small_folder / "freedict-nld-fra.index").unlink()
    (small_folder / "freedict-eng-nld.dict.dz").write_bytes(b"not gzip")
    with caplog.at_level(logging.WARNING, logger="indexer.dictionary"):
        partial = Dictionary.load(small_folder, use_cache=False)
    assert partial.missing == ("dict-freedict-nld-fra",)
    assert "cannot read this dictionary" in caplog.text
    assert partial.available() and [t for t, _ in partial.translate("enfant", "fr", "nl")] == ["kind"]


def test_an_unwritable_cache_is_not_fatal(small_folder, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="indexer.dictionary"):
        dictionary = Dictionary.load(small_folder, cache_dir=blocker / "cache")
    assert dictionary.available() and "cannot write the dictionary cache" in caplog.text


# -- Debian's dictionaries ---------------------------------------------------------------

needs_freedict = pytest.mark.skipif(
    not all(dictionary_files(default_folder(), *pair) for pair in PAIRS),
    reason=f"FreeDict dictionaries not installed in {default_folder()} (apt-get install {' '.join(PACKAGES)})")


@pytest.fixture(scope="session")
def freedict_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dictionary-cache")


@pytest.fixture(scope="session")
def freedict(freedict_cache) -> Dictionary:
    return Dictionary.load(cache_dir=freedict_cache)  # built once (seconds), then cached


def terms(translations) -> list[str]:
    return [t for t, _ in translations]


@needs_freedict
def test_real_children(freedict):
    assert freedict.available() and not freedict.missing
    assert {"kind", "kinderen"} & set(terms(freedict.translate("enfants", "fr", "nl")))
    assert "enfant" in terms(freedict.translate("children", "en", "fr"))
    assert "child" in terms(freedict.translate("enfant", "fr", "en"))


@needs_freedict
@pytest.mark.parametrize("lang, inflected, lemma", [
    ("fr", "victimes", "victime"), ("fr", "Victime", "victime"), ("nl", "slachtoffers", "slachtoffer"),
    ("en", "victims", "victim"), ("nl", "kinderen", "kind"), ("en", "children", "child"),
])
def test_real_inflected_forms_find_the_entry(freedict, lang, inflected, lemma):
    for dst in ("fr", "nl", "en"):
        if dst != lang:
            best = freedict.translate(lemma, lang, dst)[0]
            assert best in freedict.translate(inflected, lang, dst)


@needs_freedict
@pytest.mark.parametrize("word, src, dst", [
    ("enfant", "fr", "nl"), ("victime", "fr", "nl"), ("police", "fr", "nl"), ("famille", "fr", "en"),
    ("slachtoffer", "nl", "fr"), ("misbruik", "nl", "fr"), ("prostitutie", "nl", "en"),
    ("child", "en", "fr"), ("victim", "en", "nl"), ("refugee", "en", "nl"), ("hotel", "en", "fr"),
])
def test_real_round_trips(freedict, word, src, dst):
    best = freedict.translate(word, src, dst)[0][0]
    assert word in terms(freedict.translate(best, dst, src))


@needs_freedict
def test_real_phrases_and_weights(freedict):
    assert freedict.max_phrase_words >= 3
    assert "hôtel de ville" in terms(freedict.translate("city hall", "en", "fr"))
    abuse = freedict.translate("abuse", "en", "fr")  # eight senses share the weight
    assert "abus" in terms(abuse) and all(w < 0.6 for _, w in abuse)
    assert freedict.translate("victime", "fr", "nl")[0][1] > 0.9  # both directions agree


@needs_freedict
def test_real_cached_load_is_fast_and_does_not_need_wordfreq(freedict, freedict_cache):
    code = ("import sys, time; from indexer.dictionary import Dictionary; t = time.process_time(); "
            f"d = Dictionary.load(cache_dir={str(freedict_cache)!r}); "
            "print(d.from_cache, 'wordfreq' in sys.modules, time.process_time() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    assert out[:2] == ["True", "False"], out
    assert float(out[2]) < 1.0

