"""Mending PDF text: accents set apart from their letters, words split by a space."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.extractors.pdf_repair import SPACING_ACCENTS, mend_accents, mend_split_words
from archive.extractors.pdf_text import join_lines
from archive.options import ExtractOptions

SHARED_PDF = Path(__file__).resolve().parents[2] / "shared" / "data" / "pdf"


def mend(line: str) -> str:
    return mend_accents([line])[0]


@pytest.mark.parametrize(
    "raw, mended",
    [
        # The Belgian Official Journal: accents drawn after their letter, and
        # pdfminer's space after a diaeresis or circumflex.
        ("de Administratieve Coo¨ rdinatiecel", "de Administratieve Coördinatiecel"),
        ("wordt gecoo¨ rdineerd", "wordt gecoördineerd"),
        ("Ministerie van Financie¨n", "Ministerie van Financiën"),
        ("in Belgie¨", "in België"),
        ("financie ¨le steun", "financiële steun"),
        ("e´e´n lid", "één lid"),
        ("le pre´sident, le repre´sentant du Ministe`re", "le président, le représentant du Ministère"),
        ("be´ne´fice", "bénéfice"),
        ("Arreˆte´ le 25 novembre", "Arrêté le 25 novembre"),
        ("a` la Suˆ rete´ de l’Etat", "à la Sûreté de l’Etat"),
        ("le controˆ le", "le contrôle"),
        ("une cellule cre´e´e", "une cellule créée"),
        ("a` l’unanimite´", "à l’unanimité"),
        ("concerne´(e)s,", "concerné(e)s,"),
        # Accents drawn before their letter.
        ("le pr ´esident de la r´epublique", "le président de la république"),
        # The Federal Register: circumflex, cedilla, tilde.
        ("Ageˆncia Nacional de Aviac¸a˜o Civil", "Agência Nacional de Aviação Civil"),
        # A dotless i under an accent.
        ("naı¨ve", "naïve"),
        ("une ı^le", "une île"),
    ],
)
def test_spacing_accents_are_merged(raw, mended):
    assert mend(raw) == mended


@pytest.mark.parametrize(
    "text",
    [
        "l' enfant",
        "à la",
        "l´enfant",  # an acute typed as an apostrophe
        "jusqu´a",
        "don´t",
        "´s-Hertogenbosch",
        "a^b",
        "x^2 + y^2",
        "`code` here",
        "Le `quoted' text",
        "e ´ta ´t",  # nothing a letter can take without guessing
        "´",
        "20 ° C",
    ],
)
def test_text_that_must_not_change(text):
    assert mend(text) == text
    assert mend_split_words(text) == text


@pytest.mark.parametrize(
    "text, lang, mended",
    [
        ("en moyenne chaqu e année", "fr", "en moyenne chaque année"),
        ("les partis politiq ues", "fr", "les partis politiques"),
        ("la campagne él ectorale", "fr", "la campagne électorale"),
        ("il pourrait organ iser", "fr", "il pourrait organiser"),
        ("la mise en place de s tructures fédérales", "fr", "la mise en place de structures fédérales"),
        ("de organi satie van de geme ente", "nl", "de organisatie van de gemeente"),
        ("Infor mation and access", "en", "Information and access"),
        ("chaqu e année", None, "chaque année"),  # the language is detected
        # Two words stay two words; so do parts of which one is a common word.
        ("de ze", "nl", "de ze"),
        ("kinder bescherming", "nl", "kinder bescherming"),
        ("slacht offers", "nl", "slacht offers"),
        ("impa ct", "en", "impa ct"),
        ("organ iser", "en", "organ iser"),
        ("Jean Dupont", "fr", "Jean Dupont"),
        # Letter-spacing is not a split word.
        ("a n d p r", "en", "a n d p r"),
        ("H e l l o", "en", "H e l l o"),
    ],
)
def test_split_words_are_joined_only_when_far_more_likely(text, lang, mended):
    assert mend_split_words(text, lang) == mended


def test_lines_of_a_paragraph_are_mended_together():
    lines = ["Le pre´sident de la", "Coo¨ rdinatiecel re´unit chaqu e", "anne´e les membres."]
    assert join_lines(lines) == "Le président de la Coördinatiecel réunit chaque année les membres."


def test_a_paragraph_with_known_accented_words_merges_unknown_ones_too():
    # "Lamblottérie" is no word anywhere, but its paragraph shows accents set apart.
    assert mend("le pre´sident et Lamblotte´rie") == "le président et Lamblottérie"
    assert mend("Lamblotte´rie") == "Lamblotte´rie"


# --- property ---------------------------------------------------------------------

_ALPHABET = "aeioucdlnrstAEıéà’'" + "".join(SPACING_ACCENTS)
_tokens = st.lists(st.text(alphabet=_ALPHABET, min_size=1, max_size=8), min_size=1, max_size=8)


def _letters(text: str) -> str:
    """The text without accents (merged or spacing); spaces kept."""
    decomposed = unicodedata.normalize("NFD", text.replace("\u0131", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c not in SPACING_ACCENTS)


def _only_spaces_removed(before: str, after: str) -> bool:
    i = 0
    for c in after:
        while i < len(before) and before[i] != c and before[i] == " ":
            i += 1
        if i == len(before) or before[i] != c:
            return False
        i += 1
    return all(c == " " for c in before[i:])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tokens)
def test_mending_never_loses_or_adds_letters(tokens):
    text = " ".join(tokens)
    for mended in (mend(text), mend_split_words(text, "fr"), mend_split_words(text, "nl"), join_lines([text])):
        assert _only_spaces_removed(_letters(text), _letters(mended)), (text, mended)


# --- real PDFs ---------------------------------------------------------------------


def _read(name: str, max_pages: int = 0) -> str:
    from archive.extractors.pdf import extract

    path = SHARED_PDF / name
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared evaluation data)")
    doc = extract(path, path.read_bytes(), ExtractOptions(ocr="never", max_pages=max_pages))[0]
    return "\n".join(p.text for p in doc.passages)


def _accents_beside_letters(text: str) -> list[str]:
    return [text[max(0, i - 8) : i + 8] for i, c in enumerate(text) if c in SPACING_ACCENTS and (text[i - 1 : i].isalpha() or text[i + 1 : i + 2].isalpha())]


def test_belgian_official_journal_accents_are_mended():
    text = _read("be_staatsblad_1998-11-25_sectes_bilingual_nl_fr.pdf", max_pages=12)
    for word in ("Coördinatiecel", "gecoördineerd", "Financiën", "één", "représentant", "Ministère",
                 "Sûreté", "contrôle", "créée", "délibéré", "à la", "Arrêté le"):
        assert word in text, word
    assert _accents_beside_letters(text) == []


def test_federal_register_accents_are_mended():
    text = _read("us_federal_register_2020-17221_3col.pdf")
    assert "Agência" in text and "Aviação" in text
    assert _accents_beside_letters(text) == []


def test_a_pdf_whose_accent_glyphs_sit_apart_reads_whole_words():
    """The accent drawn as its own glyph over the letter before it, as some
    typesetters do: pdfminer reads "Coo¨ rdinatiecel" (see the module's docstring)."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    from archive.extractors.pdf import extract

    def accented(c, x, y, before, accent, after):
        c.drawString(x, y, before)
        last = stringWidth(before[-1], "Helvetica", 12)
        at = x + stringWidth(before, "Helvetica", 12) - (last + stringWidth(accent, "Helvetica", 12)) / 2
        c.drawString(at, y, accent)
        c.drawString(x + stringWidth(before, "Helvetica", 12), y, after)

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.setFont("Helvetica", 12)
    accented(c, 72, 720, "De Coo", "\u00a8", "rdinatiecel van het Ministerie")
    accented(c, 72, 700, "Le pre", "\u00b4", "sident du comite")
    c.showPage()
    c.save()
    data = buf.getvalue()
    text = extract(Path("accents.pdf"), data, ExtractOptions(ocr="never"))[0].passages[0].text
    assert "Coördinatiecel" in text
    assert "président" in text
