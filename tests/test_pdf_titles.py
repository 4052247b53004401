"""PDF titles: the issuer's masthead gives way to the subject, a title continued on the
next lines is read whole, and every PDF of ../shared/data/pdf and corpus/reports gets
the title a reader sees (each expected title was read off the file's first pages).

The PDFs of the rules are written here with reportlab; the real files are read where
they are and their tests skip when they are absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.extractors import pdf_ocr
from archive.extractors.pdf_title import TitleEvidence
from archive.metadata import MAX_TITLE_CHARS
from archive.options import ExtractOptions
from archive.pipeline import extract_file
from test_first_hour_metadata import BODY, text_at, write_pdf  # noqa: E402  (the PDF writers of the title tests)

REPO = Path(__file__).resolve().parent.parent
PDFS = REPO.parent / "shared" / "data" / "pdf"
NO_OCR = ExtractOptions(ocr="never")


# --- the issuer's masthead -----------------------------------------------------------


def test_a_masthead_in_the_largest_type_gives_way_to_the_subject(tmp_path):
    def draw(c):
        text_at(c, 150, 780, ["CHAMBRE DES REPRÉSENTANTS"], size=22, font="Helvetica-Bold")
        text_at(c, 72, 700, ["Proposition de loi relative à la protection des mineurs"], size=16)
        text_at(c, 72, 640, BODY)

    (doc,) = extract_file(write_pdf(tmp_path / "doc.pdf", [draw], title="untitled"), NO_OCR)
    assert doc.title == "Proposition de loi relative à la protection des mineurs"


def test_issuers_and_references_at_body_size_give_way_to_the_subject(tmp_path):
    # The Federal Register's layout: department, agency, CFR part and docket, then the subject.
    def draw(c):
        text_at(c, 72, 760, ["DEPARTMENT OF TRANSPORTATION", "Federal Aviation Administration", "14 CFR Part 39",
                             "[Docket No. FAA-2020-0686; Product Identifier 2019-NM-035-AD]",
                             "Airworthiness Directives; The Boeing Company Airplanes"],
                font="Helvetica-Bold", leading=24)
        text_at(c, 72, 620, BODY)

    (doc,) = extract_file(write_pdf(tmp_path / "fr.pdf", [draw]), NO_OCR)
    assert doc.title == "Airworthiness Directives; The Boeing Company Airplanes"


def test_a_masthead_with_nothing_else_to_name_stays_the_title(tmp_path):
    def draw(c):
        text_at(c, 150, 780, ["MINISTÈRE DE LA JUSTICE"], size=22, font="Helvetica-Bold")
        text_at(c, 72, 700, BODY)

    (doc,) = extract_file(write_pdf(tmp_path / "letter.pdf", [draw]), NO_OCR)
    assert doc.title == "MINISTÈRE DE LA JUSTICE"


def test_a_title_that_names_a_parliament_is_no_masthead(tmp_path):
    def draw(c):
        text_at(c, 72, 760, ["Regulation of the European Parliament and of the Council"], size=18,
                font="Helvetica-Bold")
        text_at(c, 72, 700, ["On the protection of natural persons"], size=14, font="Helvetica-Bold")
        text_at(c, 72, 640, BODY)

    (doc,) = extract_file(write_pdf(tmp_path / "reg.pdf", [draw]), NO_OCR)
    assert doc.title == "Regulation of the European Parliament and of the Council"


# --- titles continued on the next lines ----------------------------------------------


def test_a_title_continued_in_the_same_size_is_joined(tmp_path):
    # The lines are too far apart for one block; the second opens with a small letter.
    def draw(c):
        text_at(c, 72, 760, ["ENQUÊTE PARLEMENTAIRE", "visant à élaborer une politique de lutte contre les sectes"],
                size=18, leading=44)
        text_at(c, 72, 640, BODY)

    (doc,) = extract_file(write_pdf(tmp_path / "enquete.pdf", [draw]), NO_OCR)
    assert doc.title == "ENQUÊTE PARLEMENTAIRE visant à élaborer une politique de lutte contre les sectes"


def test_a_document_name_is_joined_to_its_subject_in_smaller_capitals(tmp_path):
    # The Assemblée nationale's cover: the masthead, then "RAPPORT" / "FAIT" / "AU NOM DE ...".
    def draw(c):
        text_at(c, 160, 780, ["ASSEMBLÉE NATIONALE"], size=24)
        text_at(c, 230, 700, ["RAPPORT"], size=23, font="Helvetica-Bold")
        text_at(c, 270, 660, ["FAIT"], size=12)
        text_at(c, 150, 630, ["AU NOM DE LA COMMISSION D'ENQUÊTE", "sur la situation financière des sectes (1),"])
        text_at(c, 270, 560, ["Président"], size=12)
        text_at(c, 72, 500, BODY)

    (doc,) = extract_file(write_pdf(tmp_path / "r1687.pdf", [draw]), NO_OCR)
    assert doc.title == "RAPPORT FAIT AU NOM DE LA COMMISSION D'ENQUÊTE sur la situation financière des sectes"


def test_a_subject_line_wins_over_the_line_under_a_label(tmp_path):
    # Gemeente Heerlen's council proposal: "raadsvoorstel" / "bevoegdheid raad" ... "Onderwerp: ...".
    def draw(c):
        text_at(c, 180, 760, ["raadsvoorstel"], size=20, font="Helvetica-Bold")
        text_at(c, 180, 730, ["bevoegdheid raad"], size=9)
        text_at(c, 180, 660, ["Onderwerp:"], size=8)
        text_at(c, 180, 648, ["Het vaststellen van de lijst van Ingekomen Stukken."], size=9)
        text_at(c, 72, 560, BODY)

    (doc,) = extract_file(write_pdf(tmp_path / "raad.pdf", [draw]), NO_OCR)
    assert doc.title == "Het vaststellen van de lijst van Ingekomen Stukken"


def test_a_title_followed_by_a_sentence_is_not_joined(tmp_path):
    def draw(c):
        text_at(c, 72, 760, ["Rapport d'activités 2019"], size=20, font="Helvetica-Bold")
        text_at(c, 72, 700, BODY)

    (doc,) = extract_file(write_pdf(tmp_path / "ra.pdf", [draw]), NO_OCR)
    assert doc.title == "Rapport d'activités 2019"


def test_an_ocr_page_masthead_gives_way_and_the_label_is_continued():
    ocr = ("- 98 /1-1995 (S.E.)\n\nChambre des Représentants de Belgique |\n\n"
           "Belgische Kamer 7 van Volksvertegenwoordigers\n\nSESSION EXTRAORDINAIRE 1995 (*)\n\n4 OCTOBRE 1995\n\n"
           "PROPOSITION |\n\ntendant à instituer une commission d'enquête parlementaire sur les sectes\n\n"
           "(Déposée par MM. Didier Reynders et Jacques Simonet)\n\nDEVELOPPEMENTS")
    assert TitleEvidence().choose("", {}, {1: ocr}) == \
        "PROPOSITION tendant à instituer une commission d'enquête parlementaire sur les sectes"


def test_a_continuation_stops_at_the_longest_title():
    rest = "visant " + " ".join(["à élaborer une politique"] * 20)
    ocr = f"ENQUETE PARLEMENTAIRE\n\n{rest}\n\nDEVELOPPEMENTS"
    assert len(rest) > MAX_TITLE_CHARS
    assert TitleEvidence().choose("", {}, {1: ocr}) == "ENQUETE PARLEMENTAIRE"


# --- every real PDF ------------------------------------------------------------------

#: file -> (password, title). Titles come from the first two pages; running headers are
#: lines on 3 pages or more, which the first 12 pages show: reading 12 pages gives the
#: same titles as reading every page (measured), in a fifth of the time.
REAL_TITLES = {
    "be_staatsblad_1998-11-25_sectes_bilingual_nl_fr.pdf": (
        "", "Loi du 2 juin 1998 portant création d’un Centre d’information et d’avis sur les organisations "
            "sectaires nuisibles et d’une Cellule administrative de coordination de la lutte contre les "
            "organisations sectaires nuisibles (Moniteur belge du 25 novembre 1998)"),
    "ca_qc_proces-verbal_comite_demolition_2023-06-20.pdf": (
        "", "Comité de démolition - Procès-verbal de la séance publique du 20 juin 2023"),
    "ca_qc_reglement_1310_maple_leaf.pdf": (
        "", "RÈGLEMENT NUMÉRO 1310 décrétant l’identification du circuit de ski de fond « Maple Leaf » comme "
            "lieu historique"),
    "ca_qc_reglement_zonage_extrait.pdf": ("", "Règlement de zonage 1314-2021-Z"),
    "eu_gdpr_regulation_2016-679_en.pdf": (
        "", "REGULATION (EU) 2016/ 679 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL - of 27 April 2016 - on the "
            "protection of natural persons with regard to the processing of personal data and on the free movement "
            "of such data, and repealing Directive 95/ 46/ EC (General Data Protection Regulation)"),
    "fr_assemblee_nationale_rapport_1687_1999.pdf": (
        "", "RAPPORT FAIT AU NOM DE LA COMMISSION D’ENQUETE sur la SITUATION FINANCIERE, PATRIMONIALE et FISCALE "
            "des SECTES, ainsi que sur leurs ACTIVITES ECONOMIQUES et leurs RELATIONS avec les MILIEUX ECONOMIQUES "
            "et FINANCIERS"),
    "nl_heerlen_lijst_ingekomen_stukken_2025.pdf": (
        "", "Het vaststellen van de lijst van Ingekomen Stukken en de wijze van afhandeling ervan"),
    "nl_heerlen_parkeerverordening_2025.pdf": (
        "", "VERORDENING OP HET GEBRUIK VAN PARKEERPLAATSEN EN DE VERLENING VAN VERGUNNINGEN VOOR HET PARKEREN IN "
            "HEERLEN 2025"),
    "nl_invoice_coolblue1.pdf": ("", "FACTUUR"),
    "nl_invoice_coolblue2.pdf": ("", "FACTUUR"),
    "nl_invoice_saeco.pdf": ("", "Kopie factuur"),
    "pdfminer_dmca.pdf": ("", "The Digital Millennium Copyright Act of 1998"),
    "pdfminer_encrypted_aes256_user-foo_owner-baz.pdf": ("foo", "Secret!"),
    "pdfminer_irs_i1040nr_instructions.pdf": ("", "2007 Instruction 1040-NR"),
    "pdfminer_naacl06-shinyama_2col_paper.pdf": (
        "", "Preemptive Information Extraction using Unrestricted Relation Discovery"),
    "pdfminer_simple1.pdf": ("", "Hello"),
    # A printout whose only heading is the printer's line: the file name stands in.
    "pdfminer_zen_of_python_corrupted.pdf": ("", "pdfminer zen of python corrupted"),
    "pypdf_google_doc.pdf": ("", "PDF Example Document"),
    "pypdf_latex_multicolumn.pdf": ("", "Two-Column Document with Lorem Ipsum"),
    # Lorem ipsum without a heading: the file name stands in.
    "pypdf_libreoffice_password.pdf": ("openpassword", "pypdf libreoffice password"),
    "pypdf_pdflatex_4_pages.pdf": ("", "pypdf pdflatex 4 pages"),
    "udhr_en.pdf": ("", "Universal Declaration of Human Rights"),
    "udhr_fr.pdf": ("", "Déclaration universelle des droits de l’homme"),
    "udhr_nl.pdf": ("", "UNIVERSELE VERKLARING VAN DE RECHTEN VAN DE MENS"),
    "us_federal_register_2020-17221_3col.pdf": ("", "Airworthiness Directives; The Boeing Company Airplanes"),
    "brochure-obstacles-signalement-drempels-melden-2019.pdf": (
        "", "Obstacles au signalement / Drempels bij het melden (2019)"),
    "capisce-interpreters-child-victims-study-2022.pdf": (
        "", "Lost in translation? Interpreters and child victims of trafficking in Belgian judicial proceedings"),
    "rapport-activites-2019.pdf": ("", "Rapport d'activités 2019"),
}

#: Pages read by OCR (the first page is enough for the title, and takes seconds, not a minute).
OCR_TITLES = {
    "be_staatsblad_1998-11-25_sectes_bilingual_nl_fr.pdf":
        "ENQUETE PARLEMENTAIRE visant à élaborer une politique en vue de lutter contre les pratiques illégales des "
        "sectes et le danger qu'elles représentent pour la société et pour les personnes, particulièrement les "
        "mineurs d'âge",
    "fr_scanned_no_text_layer_proposition_commission_enquete.pdf":
        "PROPOSITION tendant à instituer une commission d'enquête parlementaire chargée d'élaborer une politique "
        "en vue de lutter contre les sectes et les dangers que représentent ces sectes pour les personnes et "
        "particulièrement pour les mineurs d'âge",
}


REPORTS = REPO / "corpus" / "reports"


def _real(name: str) -> Path:
    path = REPORTS / name if (REPORTS / name).is_file() else PDFS / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


def test_every_pdf_has_an_expected_title():
    if not PDFS.is_dir():
        pytest.skip(f"{PDFS} is absent")
    scanned = {"fr_scanned_no_text_layer_proposition_commission_enquete.pdf"}
    listed = {p.name for p in [*PDFS.glob("*.pdf"), *REPORTS.glob("*.pdf")]}
    assert listed - scanned == set(REAL_TITLES)
    assert scanned <= set(OCR_TITLES)


@pytest.mark.parametrize("name", sorted(REAL_TITLES))
def test_real_pdf_title(name):
    password, title = REAL_TITLES[name]
    (doc,) = extract_file(_real(name), ExtractOptions(ocr="never", password=password, max_pages=12))
    assert doc.title == title


@pytest.mark.parametrize("name", sorted(OCR_TITLES))
def test_real_scanned_pdf_title(name):
    options = ExtractOptions(max_pages=1)
    reason = pdf_ocr.unavailable_reason(options)
    if reason:
        pytest.skip(reason)
    (doc,) = extract_file(_real(name), options)
    assert doc.hints["ocr_pages"] == [1]
    assert doc.title == OCR_TITLES[name]
