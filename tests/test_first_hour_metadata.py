"""First-hour metadata: PDF titles from real title evidence, document types from labels,
boilerplate kept out of the text (dates kept), and bilingual pages split by language.

The files are written by the tests (reportlab for PDFs); the checks on the public
evaluation files skip when ../shared/data is absent.
"""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import pytest

from archive.extractors.html import extract as extract_html
from archive import language, metadata
from archive.metadata import guess_type
from archive.model import Document, Passage
from archive.options import ExtractOptions
from archive.pipeline import extract_file

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
NO_OCR = ExtractOptions(ocr="never")


# --- PDFs written here ---------------------------------------------------------------

def write_pdf(path: Path, pages: list, title: str = "") -> Path:
    """``pages`` is a list of draw(canvas) functions, one per page."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    if title:
        c.setTitle(title)
    for draw in pages:
        draw(c)
        c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())
    return path


def text_at(c, x: float, y: float, lines: list[str], size: float = 10, font: str = "Helvetica", leading: float | None = None):
    c.setFont(font, size)
    for i, line in enumerate(lines):
        c.drawString(x, y - i * (leading or size * 1.3), line)


BODY = textwrap.wrap(
    "Le rapport présente les activités menées au cours de l'année avec les partenaires du réseau. Les équipes "
    "ont formé des professionnels de première ligne, accompagné des jeunes et publié plusieurs études sur la "
    "protection des enfants en ligne et dans le voyage.", 90)


# --- 9. PDF titles -------------------------------------------------------------------


def test_pdf_title_is_the_largest_text_not_a_running_header_or_page_number(tmp_path):
    def page(n: int, title: bool):
        def draw(c):
            text_at(c, 280, 815, [f"— {n} —"], size=9)
            text_at(c, 72, 800, ["Bulletin trimestriel de l'association · numéro 12"], size=8)
            if title:
                text_at(c, 72, 700, ["La traite des enfants en Belgique"], size=22, font="Helvetica-Bold")
            text_at(c, 72, 640, BODY)
        return draw

    pdf = write_pdf(tmp_path / "r1687.pdf", [page(1, True), page(2, False), page(3, False)], title="Microsoft Word - R1687.DOC")
    (doc,) = extract_file(pdf, NO_OCR)
    assert doc.title == "La traite des enfants en Belgique"


def test_pdf_title_skips_a_printer_line_and_a_label_word(tmp_path):
    def draw(c):
        text_at(c, 480, 815, ["Printed by"], size=8)
        text_at(c, 170, 700, ["verordening"], size=20, font="Helvetica-Bold")
        text_at(c, 170, 650, ["\u201dVERORDENING OP HET GEBRUIK VAN PARKEERPLAATSEN EN DE",
                              "VERLENING VAN VERGUNNINGEN IN HEERLEN 2025\u201d"], size=8.5)
        text_at(c, 170, 580, ["In deze verordening wordt verstaan onder een bedrijf een natuurlijke persoon",
                              "of rechtspersoon die gevestigd is in een vergunningsector van de gemeente."], size=9)

    (doc,) = extract_file(write_pdf(tmp_path / "parkeren.pdf", [draw]), NO_OCR)
    assert doc.title == "VERORDENING OP HET GEBRUIK VAN PARKEERPLAATSEN EN DE VERLENING VAN VERGUNNINGEN IN HEERLEN 2025"


def test_pdf_title_is_the_first_heading_when_nothing_is_larger(tmp_path):
    def draw(c):
        text_at(c, 250, 760, ["SOMMAIRE"], font="Helvetica-Bold")
        text_at(c, 42, 700, ["PARTIE I"], font="Helvetica-Bold")
        text_at(c, 113, 700, ["Loi du 2 juin 1998 portant création d'un Centre d'information",
                              "sur les organisations sectaires nuisibles (Moniteur belge)"])
        text_at(c, 42, 640, ["PARTIE II"], font="Helvetica-Bold")
        text_at(c, 113, 640, ["Rapport fait au nom de la commission d'enquête parlementaire."])

    (doc,) = extract_file(write_pdf(tmp_path / "cover.pdf", [draw], title="cover.tif"), NO_OCR)
    assert doc.title == ("Loi du 2 juin 1998 portant création d'un Centre d'information sur les organisations "
                         "sectaires nuisibles (Moniteur belge)")


def test_title_of_an_ocr_page_skips_numbers_and_noise():
    from archive.extractors.pdf_title import TitleEvidence

    ocr = ("- 98 /1-1995 (S.E.)\n\nBELGISCHE KAMER VAN VOLKSVERTEGENWOORDIGERS €&\n\nENQUETE PARLEMENTAIRE\n\n"
           "visant à élaborer une politique en vue de lutter contre les pratiques illégales des sectes.")
    assert TitleEvidence().choose("cover.tif", {}, {1: ocr}) == (
        "ENQUETE PARLEMENTAIRE visant à élaborer une politique en vue de lutter contre les pratiques illégales des sectes")


@pytest.mark.parametrize("text, ok", [
    ("— 3 —", False), ("47698", False), ("- 98 /1-1995 (S.E.)", False), ("N° 1687", False),
    ("Printed by", False), ("Page 1/1", False), ("Mittwoch Mai 30, 2018", False), ("zen_of_python.txt", False),
    ("SOMMAIRE", False), ("Table des matières", False), ("PARTIE II", False), ("Inhoudsopgave", False),
    ("Rapport d'activités 2019", True), ("Universal Declaration of Human Rights", True), ("Le Monde", True),
])
def test_plausible_title(text, ok):
    assert metadata.plausible_title(text) is ok


# The title of every real PDF, exactly: tests/test_pdf_titles.py.


# --- 10. types -----------------------------------------------------------------------

PRESS_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Press release: new reporting website launched</title>
<meta property="og:type" content="article">
<meta property="og:title" content="New reporting website launched">
</head><body><main><article>
<p class="type">PRESS RELEASE</p>
<h1>New reporting website launched</h1>
<p>Only one traveller in seven who witnessed a suspicious situation involving a child abroad reported it.
To change this, the STOP Group today launches a redesigned reporting website with a national campaign.</p>
<p>The new website was designed on the basis of the recommendations of a study of more than a thousand
European travellers, who said they hesitated because they were unsure of what they had seen.</p>
</article></main></body></html>"""


def test_press_release_page_with_og_type_article_is_a_press_release(tmp_path):
    page = tmp_path / "release.html"
    page.write_text(PRESS_PAGE, encoding="utf-8")
    (doc,) = extract_file(page, NO_OCR)
    assert doc.type == "press_release"


def doc_with(fmt: str, title: str, text: str, hinted: str = "") -> Document:
    return Document(path=f"x.{fmt}", format=fmt, title=title, passages=[Passage(text)],
                    hints={"type": hinted} if hinted else {})


@pytest.mark.parametrize("fmt, title, text, hinted, expected", [
    ("html", "Slechts één reiziger op zeven meldt", "PERSBERICHT\n\nBrussel, 20 november 2019 – Vandaag ...", "article",
     "press_release"),
    ("html", "Huit entreprises s'engagent", "Communiqué de presse – Bruxelles, le 17 novembre 2016\n\n...", "article",
     "press_release"),
    ("html", "Jaarverslag 2020 van de vereniging", "In 2020 heeft de vereniging ...", "article", "report"),
    ("docx", "ECPAT Belgique", "Rapport annuel 2021\n\nL'année a été marquée par ...", "", "report"),
    ("md", "Confinement : les enfants plus exposés", "Note d'analyse – ECPAT Belgique – 20 avril 2020\n\nDepuis ...", "",
     "article"),
    ("html", "Ministers meet in Brussels", "The minister said in a press release last week that the plan ...", "",
     "article"),
])
def test_type_from_labels_and_names_in_fr_nl_en(fmt, title, text, hinted, expected):
    assert guess_type(doc_with(fmt, title, text, hinted)) == expected


@pytest.mark.parametrize("name, expected", [
    ("press/2020-11-18-press-release-i-say-stop.html", "press_release"),
    ("notes/2020-04-20-confinement-exploitation-en-ligne.md", "article"),
])
def test_corpus_types_match_the_corpus_readme(name, expected):
    (doc,) = extract_file(REPO / "corpus" / name, NO_OCR)
    assert doc.type == expected


# --- 11. boilerplate and datelines ---------------------------------------------------

LAYOUT_PAGE = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><html lang="fr"><head>
<meta charset="utf-8"><title>Des élèves deviennent experts | ECPAT</title></head><body>
<table width="960"><tr><td class="menu" width="180" valign="top">
<a href="/">Accueil</a><br><a href="/ecpat">Qui sommes-nous ?</a><br><a href="/projets">Nos projets</a><br>
<a href="/actualites">Actualités</a><br><a href="/publications">Publications</a><br><a href="/contact">Contact</a>
</td><td valign="top">
<h1>Des élèves deviennent experts de la sécurité en ligne</h1>
<p>Ils ont entre quinze et dix-sept ans, ils passent plusieurs heures par jour sur les réseaux sociaux et, depuis ce
mercredi, ils sont aussi référents pour la sécurité en ligne de leur école à Namur.</p>
<h2>Sexting et paramètres de confidentialité</h2>
<p>Au fil de quatre demi-journées, les élèves ont travaillé sur des situations très concrètes : une photo intime qui
circule dans toute l'école, un inconnu qui propose de l'argent en échange d'images.</p>
<p>Une séance entière a été consacrée aux paramètres de confidentialité des réseaux sociaux les plus utilisés.</p>
</td></tr></table></body></html>"""


def read_html(tmp_path: Path, markup: str) -> Document:
    page = tmp_path / "page.html"
    page.write_text(markup, encoding="utf-8")
    (doc,) = extract_html(page, page.read_bytes(), ExtractOptions())
    return doc


def test_menu_cell_of_a_layout_table_is_left_out(tmp_path):
    doc = read_html(tmp_path, LAYOUT_PAGE)
    assert "Qui sommes-nous" not in doc.text and "Nos projets" not in doc.text
    paragraphs = doc.text.split("\n\n")
    assert "Sexting et paramètres de confidentialité" in paragraphs
    assert any(p.startswith("Ils ont entre quinze") for p in paragraphs)


ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav><a href="/">Home</a> · <a href="/news">News</a> · <a href="/contact">Contact</a></nav>
<main><article><h1>{title}</h1>
<p class="date">{byline}</p>
<p>Tomorrow the championship kicks off. Over the next month, millions of supporters will travel to ten host cities,
including many thousands of fans. Large sporting events bring people together and create unforgettable moments.</p>
<p>They also create risks for children, and those risks deserve as much attention as ticketing and security. Hotels,
transport companies and volunteers can all learn to recognise the signs and to report them.</p>
</article></main></body></html>"""


@pytest.mark.parametrize("byline, kept", [
    ('Brussels, <time datetime="2018-10-18">18 October 2018</time> – EU Anti-Trafficking Day',
     "Brussels, 18 October 2018 – EU Anti-Trafficking Day"),
    ('Publié le <time datetime="2025-02-11">11 février 2025</time>', "Publié le 11 février 2025"),
    ('Published <time datetime="2024-06-13">13 June 2024</time> · 4 min read', "Published 13 June 2024"),
])
def test_datelines_keep_their_date_and_lose_the_reading_time(tmp_path, byline, kept):
    doc = read_html(tmp_path, ARTICLE.format(title="Big sporting events must be safe for children", byline=byline))
    paragraphs = doc.text.split("\n\n")
    assert kept in paragraphs
    assert "min read" not in doc.text and "Home" not in doc.text


def test_corpus_pages_keep_no_menu_and_no_dateless_datelines():
    for name in ("news/2017-03-29-declic-namur.html", "press/2019-11-20-persbericht-studie-meldingen.html",
                 "news/2025-02-11-safer-internet-day-declic.html", "news/2024-06-13-euro-2024-sporting-events.html"):
        for doc in extract_file(REPO / "corpus" / name, NO_OCR):
            assert "Qui sommes-nous" not in doc.text, name
            assert not re.search(r"^(?:Brussel|Brussels|Bruxelles), –|^Publié le$|min read", doc.text, re.M), name


# --- 12. bilingual pages -------------------------------------------------------------

NL = ("Het Centrum bestaat uit twaalf vaste leden en twaalf plaatsvervangende leden die door de Kamer van "
      "volksvertegenwoordigers worden aangewezen. Zowel voor de rechtstreeks door de Kamer als voor de op voordracht "
      "van de Ministerraad aangewezen leden wordt de taalpariteit gewaarborgd. De leden worden aangesteld voor een "
      "termijn van vier jaar, eenmaal hernieuwbaar, uit de persoonlijkheden die bekend staan om hun kennis van de "
      "problematiek van de schadelijke sektarische organisaties en van de minderjarige slachtoffers.")
FR = ("Le Centre est composé de douze membres effectifs et de douze membres suppléants désignés par la Chambre des "
      "représentants. La parité linguistique est garantie tant pour les membres désignés directement par la Chambre "
      "que pour ceux désignés sur proposition du Conseil des ministres. Les membres sont nommés pour un terme de "
      "quatre ans, renouvelable une fois, parmi les personnalités connues pour leur connaissance des organisations "
      "sectaires nuisibles et des victimes mineures.")


def two_columns(c):
    text_at(c, 150, 800, ["BELGISCH STAATSBLAD — 25.11.1998 — MONITEUR BELGE"], size=9)
    text_at(c, 50, 760, textwrap.wrap(NL, 48) + textwrap.wrap(NL, 48), size=9)
    text_at(c, 310, 760, textwrap.wrap(FR, 48), size=9)


def test_two_column_bilingual_page_becomes_a_passage_per_language(tmp_path):
    (doc,) = extract_file(write_pdf(tmp_path / "staatsblad.pdf", [two_columns]), NO_OCR)
    by_lang = {p.lang: p for p in doc.passages}
    assert set(by_lang) == {"nl", "fr"} and all(p.page == 1 for p in doc.passages)
    assert "douze membres effectifs" in by_lang["fr"].text and "douze membres" not in by_lang["nl"].text
    assert doc.lang == "nl" and doc.langs["fr"] > 0.2


def test_french_column_of_a_dutch_page_is_found_in_french(tmp_path):
    from indexer.sync import SyncOptions, sync
    from indexer.whoosh.engine import WhooshEngine
    from indexer.contract import SearchRequest

    folder = tmp_path / "files"
    folder.mkdir()
    write_pdf(folder / "staatsblad.pdf", [two_columns])
    index = tmp_path / "index"
    assert not sync([folder], index, SyncOptions(jobs=1, extract=NO_OCR)).failed
    engine = WhooshEngine(index)
    try:
        # "victime mineure" finds "victimes mineures" only through French stemming.
        response = engine.search(SearchRequest("victime mineure", langs=("fr",)))
        assert response.hits and response.hits[0].passage_lang == "fr" and response.hits[0].page == 1
    finally:
        engine.close()


@pytest.mark.parametrize("text, langs", [
    (f"{FR}\n\n{NL}", ["fr", "nl"]),
    (f"Colophon\n\n{FR} {NL}", ["fr", "nl"]),  # one block, a sentence run in each language
    (f"{FR}\n\nECPAT Belgique\n\n{FR}", ["fr"]),  # a short unclear block does not cut
    (f"{NL}\n\nLe Monde diplomatique.\n\n{NL}", ["nl"]),  # nor does a short foreign one
])
def test_split_languages_follows_language_blocks(text, langs):
    passages = language.split_languages([Passage(text, page=4)])
    language.detect_passages(passages)
    assert [p.lang for p in passages] == langs and {p.page for p in passages} == {4}
    assert "".join(p.text for p in passages).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_staatsblad_french_sentences_land_in_french_passages():
    path = DATA / "pdf" / "be_staatsblad_1998-11-25_sectes_bilingual_nl_fr.pdf"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    (doc,) = extract_file(path, NO_OCR)
    french = in_french = 0
    for passage in doc.passages:
        for sentence in re.split(r"(?<=[.!?;])\s+|\n\s*\n", passage.text):
            probs = language.probabilities(sentence)
            if sum(c.isalpha() for c in sentence) >= 40 and probs and probs["fr"] >= 0.95:
                french += 1
                in_french += passage.lang == "fr"
    assert french > 100 and in_french / french >= 0.9


def test_a_category_kicker_above_the_headline_is_left_out(tmp_path):
    page = ARTICLE.replace("<article><h1>", '<article><p class="kicker">News · Prevention</p><h1>').format(
        title="Euro 2024: big sporting events must be safe for children", byline="Brussels, 13 June 2024")
    doc = read_html(tmp_path, page)
    assert "Prevention" not in doc.text
    assert doc.text.split("\n\n")[0].startswith("Brussels, 13 June 2024")
