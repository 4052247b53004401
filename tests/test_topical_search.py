"""Topical search on real indexes: natural queries that do not match the answer word for word."""

from __future__ import annotations

import io
import textwrap

import pytest

from indexer.errors import QueryError
from indexer.contract import SearchRequest

canvas = pytest.importorskip("reportlab.pdfgen.canvas")

CONTENTS = ["Sommaire", "Introduction ........................ 3", "Formation des professionnels ........ 3",
            "Partenariats avec les agences de voyage ........ 3", "Exploitation sexuelle des mineurs ........ 4",
            "Protection des mineurs en ligne ........ 4", "Ateliers dans les écoles ........ 4",
            "Campagne de sensibilisation ........ 4", "Plaidoyer national et européen ........ 4",
            "Finances de l'association ........ 5", "Annexes ........................ 5"]
PAGES = {
    2: ["Introduction", "Le rapport décrit les activités de formation menées auprès des professionnels du tourisme",
        "et des transports pendant l'année, ainsi que les partenariats noués avec les agences de voyage."],
    3: ["L'exploitation sexuelle des mineurs sur internet a fortement augmenté pendant l'année.",
        "Les mineurs reçoivent des messages de personnes inconnues sur les réseaux sociaux et les jeux.",
        "Les animateurs expliquent aux mineurs comment réagir et à qui parler quand une conversation",
        "en ligne devient inquiétante. Les parents reçoivent une brochure sur la protection en ligne.",
        "Ces ateliers sont menés dans les écoles grâce aux partenariats noués avec les communes."],
    4: ["Annexes", "Liste des partenaires et des écoles participantes, tableaux des chiffres."],
}


def _pdf(cover: str, pages: list[list[str]]) -> bytes:
    """A cover with ``cover`` in large type, then a page per list of lines ("# " opens a heading)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.setFont("Helvetica-Bold", 28)
    c.drawString(60, 600, cover)
    c.showPage()
    for lines in pages:
        for i, line in enumerate(lines):
            heading = line.startswith("# ")
            c.setFont("Helvetica-Bold" if heading else "Helvetica", 14 if heading else 11)
            c.drawString(60, 780 - i * 18, line[2:] if heading else line)
        c.showPage()
    c.save()
    return buf.getvalue()


def _report_pdf() -> bytes:
    """A cover, a contents page naming the topics, then pages of running text."""
    return _pdf("Rapport annuel 2019", [CONTENTS, *PAGES.values()])


@pytest.fixture(scope="module")
def topical(tmp_path_factory):
    from indexer.sync import SyncOptions, sync
    from indexer.whoosh.engine import WhooshEngine

    folder = tmp_path_factory.mktemp("topical") / "docs"
    folder.mkdir()
    (folder / "rapport-annuel.pdf").write_bytes(_report_pdf())
    (folder / "formation.txt").write_text(
        "Formation des tuteurs\n\nLes tuteurs des mineurs étrangers non accompagnés ont suivi une formation sur la traite.\n",
        encoding="utf-8")
    (folder / "spread.txt").write_text(
        "Rapport de la journée\n\nLe matin, les participants ont parlé de prévention dans les écoles primaires.\n\n"
        + "Pause.\n\n" * 3 + "L'après-midi fut consacré au harcèlement et aux risques du numérique.\n", encoding="utf-8")
    index_dir = folder.parent / "index"
    report = sync([folder], index_dir, SyncOptions(jobs=1))
    assert not report.failed, report.failed
    engine = WhooshEngine(index_dir)
    yield engine
    engine.close()


def by_name(response) -> dict:
    return {h.path.rsplit("/", 1)[-1]: h for h in response.hits}


def test_a_query_word_missing_from_the_answer_does_not_lose_it(topical):
    # The page says "mineurs" and "internet"; the query says "enfants" and "internet".
    response = topical.search(SearchRequest("exploitation sexuelle enfants internet"))
    assert response.total >= 1
    assert response.hits[0].path.endswith("rapport-annuel.pdf")


def test_the_page_shown_is_running_text_not_the_contents_page(topical):
    # Page 2, a contents page, names both (on different lines); page 4 talks about them.
    hit = by_name(topical.search(SearchRequest("partenariats écoles")))["rapport-annuel.pdf"]
    assert hit.page == 4


def test_words_spread_over_a_document_still_match_it(topical):
    found = by_name(topical.search(SearchRequest("prévention harcèlement")))
    assert "spread.txt" in found


def test_function_words_are_neither_matched_nor_highlighted(topical):
    response = topical.search(SearchRequest("traite des mineurs"))
    for hit in response.hits:
        marked = {hit.snippet[s:e].lower() for s, e in hit.highlights}
        assert marked and not marked & {"des", "de", "la", "les"}, (hit.path, marked)
    doc = topical.document(response.hits[0].id, query="traite des mineurs")
    words = {p.text[s:e].lower() for p in doc.passages for s, e in p.highlights}
    assert words <= {"traite", "mineurs", "mineur"} and words


def test_function_words_count_inside_a_quoted_phrase(topical):
    assert topical.search(SearchRequest('"la traite"')).total == 1
    assert topical.search(SearchRequest('"des traite"')).total == 0


def test_a_quoted_phrase_marks_its_runs_only(topical):
    # "des" and "mineurs" stand apart all over the report; the page marks and counts the phrase.
    response = topical.search(SearchRequest('"des mineurs"'))
    assert response.total >= 1
    for hit in response.hits:
        assert [hit.snippet[s:e].lower() for s, e in hit.highlights] == ["des mineurs"], hit.path
    doc = topical.document(by_name(response)["rapport-annuel.pdf"].id, query='"des mineurs"')
    marked = [p.text[s:e].lower() for p in doc.passages for s, e in p.highlights]
    expected = sum(" ".join(p.text.lower().split()).count("des mineurs") for p in doc.passages)
    assert marked == ["des mineurs"] * expected and expected >= 2


def test_a_query_of_function_words_only_looks_for_them(topical):
    assert topical.search(SearchRequest("et des")).total >= 1


def test_a_sign_or_a_field_before_a_quote_applies_to_the_phrase(topical):
    # The phrase is excluded, required, or looked for in the titles only; never dropped or made optional.
    excluded = by_name(topical.search(SearchRequest('mineurs -"mineurs étrangers"')))
    assert "rapport-annuel.pdf" in excluded and "formation.txt" not in excluded
    required = topical.search(SearchRequest('+"la traite" mineurs'))
    assert list(by_name(required)) == ["formation.txt"]
    assert topical.search(SearchRequest('"des mineurs"')).total >= 1
    titled = topical.search(SearchRequest('title:"des mineurs"'))
    assert titled.total == 0 and titled.notices == []
    assert list(by_name(topical.search(SearchRequest('title:"des tuteurs"')))) == ["formation.txt"]


def test_dangling_operators_are_notices_not_words(topical):
    plain = topical.search(SearchRequest("traite"))
    dangling = topical.search(SearchRequest("traite AND"))
    assert dangling.total == plain.total and dangling.notices == ["ignored AND with nothing after it"]
    with pytest.raises(QueryError):
        topical.search(SearchRequest("NOT"))


@pytest.fixture(scope="module")
def homographs(tmp_path_factory):
    """Words that are function words in one language and content words in another."""
    from indexer.sync import SyncOptions, sync
    from indexer.whoosh.engine import WhooshEngine

    folder = tmp_path_factory.mktemp("homographs") / "docs"
    folder.mkdir()
    texts = {
        "eu.txt": "Briefing\n\nThe EU adopted a new directive against child trafficking, after a long debate in Brussels.\n",
        "plain.txt": "Council note\n\nThe new directive against child trafficking was adopted by the council after a long debate.\n",
        "door.txt": "Hotel security\n\nThe hotel staff keep the door of every guest room locked at night, as the manager asked.\n",
        "nl.txt": "Verslag van de vergadering\n\nDe vergadering werd door de voorzitter geopend en de kamer bleef de hele avond gesloten.\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    index_dir = folder.parent / "index"
    assert not sync([folder], index_dir, SyncOptions(jobs=1)).failed
    engine = WhooshEngine(index_dir)
    yield engine
    engine.close()


def test_a_function_word_of_one_language_counts_where_it_is_a_content_word(homographs):
    # "EU" is a French function word ("eu", had) and an English name; "door" a Dutch function word and an English noun.
    response = homographs.search(SearchRequest("EU directive"))
    assert list(by_name(response)) == ["eu.txt", "plain.txt"]
    assert "EU" in {response.hits[0].snippet[s:e] for s, e in response.hits[0].highlights}
    # ... but it never makes a document qualify on its own, and the Dutch "door" is not matched.
    assert list(by_name(homographs.search(SearchRequest("door room")))) == ["door.txt"]
    assert list(by_name(homographs.search(SearchRequest("door vergadering")))) == ["nl.txt"]
    nl = homographs.search(SearchRequest("door vergadering")).hits[0]
    assert {nl.snippet[s:e].lower() for s, e in nl.highlights} == {"vergadering"}


# --- on the shared corpus of conftest: projects and cross-language -------------------


@pytest.mark.parametrize("query", ["declic", "Déclic", "DECLIC", "dé-clic"])
def test_a_project_name_in_the_query_finds_its_documents(engine, query):
    hits = engine.search(SearchRequest(query)).hits
    assert hits and "declic" in hits[0].projects


@pytest.mark.parametrize("name, pid", [("Je dis STOP", "je-dis-stop"), ("je dis stop", "je-dis-stop"),
                                       ("Ik zeg STOP", "je-dis-stop"), ("je-dis-stop", "je-dis-stop"),
                                       ("(Dé)clic", "declic"), ("declic", "declic")])
def test_a_project_filter_takes_names_and_aliases(engine, name, pid):
    by_id = engine.search(SearchRequest("", projects=(pid,)))
    response = engine.search(SearchRequest("", projects=(name,)))
    assert response.total == by_id.total >= 1
    assert all(pid in h.projects for h in response.hits)
    # Written in the query, quoted, the name is the same filter.
    written = engine.search(SearchRequest(f'project:"{name}"'))
    assert written.total == by_id.total and written.notices == []


@pytest.mark.parametrize("query", ["title:declic", "title:Déclic", "title:DE-CLIC"])
def test_a_project_name_in_a_title_query_finds_the_titles_that_spell_it(engine, query):
    # The title says "(Dé)clic": the title field holds "dé" and "clic", never "declic".
    response = engine.search(SearchRequest(query))
    assert [h.title for h in response.hits] == ["Communiqué de presse : le projet (Dé)clic dans les écoles"]


def test_an_unknown_project_is_an_error_listing_the_projects(engine):
    with pytest.raises(QueryError, match=r"unknown project 'Make-IT-Safe'; the projects are: .*Je dis STOP \(je-dis-stop\)"):
        engine.search(SearchRequest("", projects=("Make-IT-Safe",)))


def test_cross_language_expands_inflected_forms(engine):
    crossed = engine.search(SearchRequest("traites enfant", cross_language=True))
    assert crossed.expanded and "kinderhandel" in crossed.expanded
    assert {h.passage_lang for h in crossed.hits} >= {"fr", "nl", "en"}


def test_a_document_found_through_a_translation_shows_what_matched(engine):
    crossed = engine.search(SearchRequest("traites enfant", cross_language=True))
    dutch = next(h for h in crossed.hits if h.lang == "nl")
    plain = engine.document(dutch.id, query="traites enfant")
    assert [s for p in plain.passages for s in p.highlights] == []
    translated = engine.document(dutch.id, query="traites enfant", cross_language=True)
    marked = {p.text[s:e].lower() for p in translated.passages for s, e in p.highlights}
    assert "kinderhandel" in marked


def test_a_query_of_function_words_marks_them_on_the_document_page(topical):
    hit = topical.search(SearchRequest("et des")).hits[0]
    doc = topical.document(hit.id, query="et des")
    assert {p.text[s:e].lower() for p in doc.passages for s, e in p.highlights} == {"et", "des"}


def test_words_without_translation_stay_optional_across_languages(engine):
    # "voogden" is Dutch and has no translation: the French and English documents are still reached.
    crossed = engine.search(SearchRequest("kinderhandel voogden", cross_language=True))
    assert {h.lang for h in crossed.hits} >= {"fr", "nl", "en"}
    assert crossed.hits[0].lang == "nl"  # the document with both words first


def test_the_page_and_the_api_say_what_was_ignored(built_index):
    """A dangling operator is said beside the results, in the reader's language on the page."""
    from fastapi.testclient import TestClient

    from search.web import create_app

    _, index_dir = built_index
    client = TestClient(create_app(index_dir))
    page = client.get("/", params={"q": "traite AND", "ui": "fr"})
    assert "AND a été ignoré" in page.text
    assert client.get("/api/search", params={"q": "traite AND"}).json()["notices"] == ["ignored AND with nothing after it"]


def test_did_you_mean_corrects_one_word_even_when_the_others_find_documents(engine):
    response = engine.search(SearchRequest("traitte enfants"))
    assert response.total >= 1  # "enfants" alone finds documents
    assert response.suggestion == "traite enfants"
    assert engine.search(SearchRequest("traite enfants")).suggestion is None


@pytest.mark.parametrize("query, suggestion", [
    ("kinderhandle -traitte", "kinderhandel -traitte"),  # an excluded word is left as typed, with its sign
    ("+kinderhandle voogden", "+kinderhandel voogden"),
    ('"traite des enfnats"', '"traite des enfants"'),  # inside quotes
    ("kinderhandle lang:nl", "kinderhandel lang:nl"),  # beside a filter
    ("kinderhandle OR trafficking", "kinderhandel OR trafficking"),
])
def test_did_you_mean_keeps_the_query_language(engine, query, suggestion):
    assert engine.search(SearchRequest(query)).suggestion == suggestion


def test_every_query_notice_is_said_in_each_language_of_the_page():
    from indexer.query import NOTICE_TEXT
    from search.i18n import MESSAGES

    for lang, messages in MESSAGES.items():
        assert {f"notice_{key}" for key in NOTICE_TEXT} <= set(messages), lang


def test_the_page_links_a_cross_language_hit_to_its_translated_matches(built_index):
    """The hit found through a translation opens on a document page that marks what matched."""
    import re

    from fastapi.testclient import TestClient

    from search.web import create_app

    folder, index_dir = built_index
    client = TestClient(create_app(index_dir, glossary=folder.parent / "glossary.tsv"))
    page = client.get("/", params={"q": "traites enfant", "cross_language": "1"}).text
    links = re.findall(r'href="(/documents/[0-9a-f]+\?[^"#]*)', page)
    assert links and all("cross_language=1" in link for link in links)
    dutch = [link for link in links if client.get(link.replace("&amp;", "&")).text.count("<mark>kinderhandel</mark>")]
    assert dutch  # the Dutch document says "kinderhandel", a translation of "traite des enfants"
    plain = client.get(dutch[0].replace("&amp;", "&").replace("&cross_language=1", "")).text
    assert "<mark>kinderhandel</mark>" not in plain
    api = client.get(dutch[0].replace("&amp;", "&").replace("/documents/", "/api/documents/")).json()
    assert any(p["highlights"] for p in api["passages"])


def _sections_pdf() -> bytes:
    """A contents page listing section headings, then a page per section under its heading."""
    headings = ["Préparation et conditions de travail", "Neutralité et confiance", "Liens avec la pratique",
                "Impact sur les interprètes", "Recommandations"]
    body = ("Les interprètes décrivent leur travail auprès des enfants victimes, les entretiens avec la police "
            "et les services sociaux, la difficulté de rester à distance et le besoin d'être soutenus. "
            "Plusieurs d'entre eux demandent une formation commune avec les professionnels qu'ils accompagnent.")
    contents = ["Table des matières", *(f"{h} " + "." * 40 + f" {i + 3}" for i, h in enumerate(headings))]
    return _pdf("Étude sur les interprètes", [contents, *([f"# {h}", *textwrap.wrap(body * 3, 90)] for h in headings)])


def test_a_section_heading_typed_as_a_query_shows_the_section_not_the_contents(tmp_path):
    from indexer.sync import SyncOptions, sync
    from indexer.whoosh.engine import WhooshEngine

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "etude.pdf").write_bytes(_sections_pdf())
    (folder / "contents-only.pdf").write_bytes(_contents_only_pdf())
    assert not sync([folder], tmp_path / "index", SyncOptions(jobs=1)).failed
    engine = WhooshEngine(tmp_path / "index")
    try:
        for n, heading in enumerate(["Préparation et conditions de travail", "Neutralité et confiance",
                                     "Liens avec la pratique"], 3):
            assert by_name(engine.search(SearchRequest(heading)))["etude.pdf"].page == n, heading
        # Words that stand together on a contents page only still find that page.
        assert by_name(engine.search(SearchRequest("Annexes statistiques détaillées")))["contents-only.pdf"].page == 2
    finally:
        engine.close()


def _contents_only_pdf() -> bytes:
    contents = ["Sommaire", *(f"{line} " + "." * 40 + " 3" for line in ("Comptes annuels", "Annexes statistiques détaillées",
                                                                          "Budget"))]
    body = textwrap.wrap("Les comptes de l'association présentent les recettes et les dépenses de l'année, les "
                         "annexes détaillent les chiffres par projet. " * 4, 90)
    return _pdf("Rapport financier", [contents, body])
