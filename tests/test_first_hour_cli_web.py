"""What a newcomer meets in the first hour, on a real index: the CLI's messages and outputs, the site over HTTP.

The corpus is written here: nine projects whose names differ from their ids
(so a chart or a listing that falls back to ids or to "Other" shows), one
French/Dutch document (so "documents in a language" and "documents whose main
language is" differ), one internal document.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from search.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from test_web_api import LiveServer  # noqa: E402  (the real-server helper shared with the HTTP tests)

ROOT = Path(__file__).resolve().parents[1]
MARKER = "quuxinternalnote"

PROJECTS = {  # id -> display name, each named in one document below
    "op-alpha": "Opération Alpha", "op-bravo": "Opération Bravo", "op-charlie": "Opération Charlie",
    "op-delta": "Opération Delta", "op-echo": "Opération Echo", "op-foxtrot": "Opération Foxtrot",
    "op-golf": "Opération Golf", "op-india": "Opération India", "declic": "(Dé)clic",
}

FR_PARAGRAPHS = [
    "Bruxelles, le 6 novembre 2019. Le projet Opération Alpha aide les enfants victimes de traite en Belgique et forme les professionnels de première ligne.",
    "Les éducateurs, les assistants sociaux et les tuteurs apprennent à écouter les jeunes et à signaler les situations suspectes aux services compétents.",
    "Chaque année, des centaines de mineurs non accompagnés arrivent dans le pays sans que personne ne sache vraiment qui les attend à la gare.",
    "La formation dure deux jours et combine des études de cas, des jeux de rôle et une présentation du cadre légal belge et européen.",
    "Les participants reçoivent un guide pratique qui résume les indicateurs de traite et les numéros à appeler en cas de doute.",
    "Les écoles et les clubs de sport sont invités à rejoindre le réseau pour que la protection des enfants devienne l'affaire de tous.",
    "Les résultats de la première année montrent que les signalements ont doublé dans les provinces où la formation a été donnée.",
    "Le rapport recommande de renforcer la coopération entre la police, la justice et les associations de terrain.",
    "Les familles d'accueil demandent aussi plus de soutien et une meilleure information sur les droits des enfants qu'elles accueillent.",
    "Enfin, les auteurs insistent sur l'importance d'écouter la parole des enfants eux-mêmes dans l'évaluation des politiques publiques.",
]
NL_PARAGRAPHS = [
    "Het project helpt kinderen die slachtoffer zijn van mensenhandel in België en leidt professionals op om de signalen van uitbuiting te herkennen.",
    "Opvoeders, maatschappelijk werkers en voogden leren naar jongeren te luisteren en verdachte situaties aan de bevoegde diensten te melden.",
    "Elk jaar komen honderden niet-begeleide minderjarigen in het land aan zonder dat iemand echt weet wie hen in het station opwacht.",
    "De opleiding duurt twee dagen en combineert casestudies, rollenspellen en een voorstelling van het Belgische en Europese wettelijke kader.",
    "De deelnemers krijgen een praktische gids die de indicatoren van mensenhandel samenvat en de nummers die ze bij twijfel kunnen bellen.",
    "Scholen en sportclubs worden uitgenodigd om zich bij het netwerk aan te sluiten zodat de bescherming van kinderen een zaak van iedereen wordt.",
]

DOCUMENTS = {
    "bilingue_2019.txt": "Rapport bilingue sur la traite des enfants\n\n" + "\n\n".join(FR_PARAGRAPHS + NL_PARAGRAPHS),
    "bravo_2016.txt": "Formation sur la traite des enfants\n\nLe 24 mai 2016, Opération Bravo a formé les services de l'aide à la jeunesse à reconnaître la traite des enfants.",
    "charlie_2017.txt": "Sensibilisation dans les écoles\n\nLe 29 mars 2017, Opération Charlie a rencontré des élèves pour parler de la traite des enfants et des risques en ligne.",
    "delta_2018.txt": "Persbericht over kinderhandel\n\nBrussel, 2 juli 2018. Opération Delta lanceert een opleiding over kinderhandel voor voogden in heel het land.",
    "echo_2020.txt": "Verslag van de opleiding voor voogden\n\nBrussel, 12 maart 2020. Opération Echo leerde voogden de signalen van uitbuiting en mensenhandel herkennen.",
    "foxtrot_2021.txt": "Press release on child trafficking\n\nLondon, 3 June 2021. Opération Foxtrot warns that major sporting events increase the risk of child trafficking.",
    "golf_2022.txt": "Notes from the hotel staff training\n\nLondon, 14 September 2022. Opération Golf trainers showed hotel receptionists how to recognise child exploitation.",
    "india_2023.txt": "Annual report of the network\n\nPublished 15 January 2023. Opération India trained four hundred professionals on online safety for children.",
    "declic_2021.txt": "Communiqué de presse : le projet (Dé)clic dans les écoles\n\nBruxelles, le 3 mars 2021. Le projet (Dé)clic aide les adolescents à se protéger des risques en ligne.",
}
INTERNAL = ("internal_2019.txt", f"Notes internes {MARKER}\n\nBruxelles, le 5 mai 2019. Réunion de l'équipe sur le budget {MARKER} de la traite et d'Opération Alpha.")


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "projects.toml").write_text("".join(f'[{pid}]\nname = "{name}"\n\n' for pid, name in PROJECTS.items()), encoding="utf-8")
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    (folder / INTERNAL[0]).write_text(INTERNAL[1] + "\n", encoding="utf-8")
    (folder / (INTERNAL[0] + ".meta.json")).write_text(json.dumps({"visibility": "internal"}), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    from indexer.sync import SyncOptions, sync

    base = tmp_path_factory.mktemp("first_hour")
    report = sync([write_corpus(base / "corpus")], base / "index", SyncOptions(jobs=1))
    assert not report.failed and report.documents == len(DOCUMENTS) + 1, report
    return base / "index"


@pytest.fixture(scope="module")
def lone_index(tmp_path_factory) -> Path:
    """One document, no projects.toml anywhere above it."""
    from indexer.sync import SyncOptions, sync

    base = tmp_path_factory.mktemp("lone")
    (base / "corpus").mkdir()
    (base / "corpus" / "note.txt").write_text("Une note sur la traite des enfants\n\nBruxelles, le 4 avril 2018. La traite des enfants reste un problème.\n", encoding="utf-8")
    report = sync([base / "corpus"], base / "index", SyncOptions(jobs=1))
    assert not report.failed, report.failed
    return base / "index"


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def search_json(index: Path, *args) -> dict:
    result = run("search", *args, "--index", index, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- 6: a page past the last one ----------------------------------------------------------


def test_a_page_past_the_last_says_how_many_results_there_are(index):
    total = search_json(index, "traite")["total"]
    assert total >= 3
    result = run("search", "traite", "--index", index, "--page", 999)
    assert result.exit_code == 0, result.output
    assert "No results" not in result.output
    assert f"{total} documents match 'traite'" in result.output
    assert "no page 999" in result.output and "the last page is 1" in result.output


# --- 8: any case; the date format in words ----------------------------------------------------


@pytest.mark.parametrize("option, lower, upper", [("--lang", "fr", "FR"), ("--lang", "nl", "Nl"), ("--type", "report", "REPORT")])
def test_choices_accept_any_case(index, option, lower, upper):
    assert search_json(index, "", option, upper) == search_json(index, "", option, lower)


@pytest.mark.parametrize("value", ["2019/05/02", "02-05-2019", "2019-13-01", "yesterday"])
def test_a_bad_date_says_how_to_write_one(index, value):
    result = run("search", "traite", "--index", index, "--from", value)
    assert result.exit_code == 2
    assert "use YYYY-MM-DD, for example 2019-05-02" in result.output
    assert "%Y" not in result.output
    hits = search_json(index, "traite", "--from", "2019-05-02")["hits"]  # the example given works
    assert hits and all(h["date"] >= "2019-05-02" for h in hits)


# --- 13: visibility in every output, --public ------------------------------------------------------


def test_csv_jsonl_and_json_say_each_documents_visibility(index):
    rows = list(csv.DictReader(io.StringIO(run("search", "traite", "--index", index, "--format", "csv", "--limit", 100).output)))
    assert "visibility" in rows[0]
    assert {r["visibility"] for r in rows} == {"public", "internal"}  # the CLI sees everything
    lines = [json.loads(line) for line in run("search", MARKER, "--index", index, "--format", "jsonl").output.splitlines()]
    assert [h["visibility"] for h in lines] == ["internal"]
    assert search_json(index, MARKER)["hits"][0]["visibility"] == "internal"


def test_public_shows_what_the_public_site_shows(index):
    everything = search_json(index, "traite", "--limit", 100)
    public = search_json(index, "traite", "--limit", 100, "--public")
    assert public["total"] == everything["total"] - 1
    assert all(h["visibility"] == "public" for h in public["hits"])
    assert search_json(index, MARKER, "--public")["total"] == 0

    internal_id = search_json(index, MARKER)["hits"][0]["id"]
    assert run("show", internal_id, "--index", index).exit_code == 0
    hidden = run("show", internal_id, "--index", index, "--public")
    assert hidden.exit_code == 1 and "no public document" in hidden.output

    stats = json.loads(run("stats", "--index", index, "--format", "json").output)
    public_stats = json.loads(run("stats", "--index", index, "--format", "json", "--public").output)
    assert public_stats["documents"] == stats["documents"] - 1 == len(DOCUMENTS)

    alpha = search_json(index, '"rapport bilingue"')["hits"][0]["id"]
    similar = json.loads(run("similar", alpha, "--index", index, "--format", "json", "--limit", 20).output)
    public_similar = json.loads(run("similar", alpha, "--index", index, "--format", "json", "--limit", 20, "--public").output)
    assert internal_id in [h["id"] for h in similar["hits"]]
    assert internal_id not in [h["id"] for h in public_similar["hits"]]


def test_help_says_the_cli_sees_internal_documents():
    for args in ([], ["search"]):
        text = " ".join(run(*args, "--help").output.split())
        assert "internal documents too" in text and "--public" in text


# --- 14: names for people, ids for programs ---------------------------------------------------------


def test_text_output_names_projects_and_programs_get_ids(index):
    data = search_json(index, "adolescents")
    hit = data["hits"][0]
    assert hit["projects"] == ["declic"] and data["facets"]["project"] == {"declic": 1}
    text = run("search", "adolescents", "--index", index).output
    assert "(Dé)clic" in text and " declic " not in text
    assert "project: (Dé)clic (1)" in text
    rows = list(csv.DictReader(io.StringIO(run("search", "adolescents", "--index", index, "--format", "csv").output)))
    assert rows[0]["projects"] == "declic"

    shown = run("show", hit["id"], "--index", index).output
    assert re.search(r"projects\s+\(Dé\)clic", shown)
    stats = run("stats", "--index", index).output
    assert "Opération Alpha 2" in stats and "op-alpha" not in stats
    similar = run("similar", hit["id"], "--index", index, "--limit", 20).output
    assert "Opération" in similar and "op-" not in similar


@pytest.mark.parametrize("value", ["DECLIC", "(dé)clic", "(Dé)clic"])
def test_project_filter_takes_an_id_or_a_name(index, value):
    assert search_json(index, "", "--project", value)["hits"] == search_json(index, "", "--project", "declic")["hits"]
    assert search_json(index, "", "--project", value)["total"] == 1


# --- 16: a busy port -------------------------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_and_what_to_do(index):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--index", index, "--port", port)
    assert result.exit_code == 1, result.output
    assert f"port {port} is in use; choose another with --port" in result.output
    assert "Serving" not in result.output and "Traceback" not in result.output


def test_serve_options_are_explained():
    text = " ".join(run("serve", "--help").output.split())
    assert re.search(r"--port INTEGER RANGE \S* ?Port to listen on", text), text
    assert "--host TEXT Address to listen on" in text
    assert "--organisation TEXT" in text and "ARCHIVE_ORGANISATION" in text
    assert "--public-url TEXT" in text and "ARCHIVE_PUBLIC_URL" in text
    assert "archive.toml" in text and "the address each request came to, from its Host header" in text


# --- 17: the README's first commands work as written -----------------------------------------------


def test_readme_says_how_to_run_archive_and_what_it_needs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Using it")[0]
    first = next(line for line in setup.splitlines() if "archive serve corpus/" in line)
    assert "pip install -q -e ." in first
    assert ". .venv/bin/activate" in setup and ".venv/bin/archive" in first
    assert "Ctrl+C" in setup
    assert "~/.local/share/archive/index" in setup
    assert re.search(r"tesseract-ocr-fra.*tesseract-ocr-nld", setup) and "scanned" in setup
    assert "--port" in readme and "--host" in readme and "ARCHIVE_ORGANISATION" in readme


# --- 18: counts that agree, plurals, no empty lines ----------------------------------------------


def test_language_counts_agree_between_search_and_stats(index):
    facets = search_json(index, "")["facets"]["lang"]
    stats = json.loads(run("stats", "--index", index, "--format", "json").output)
    assert stats["lang"] == facets
    assert facets["nl"] == stats["main_lang"]["nl"] + 1  # the bilingual report is counted under Dutch too
    assert sum(stats["main_lang"].values()) == stats["documents"]
    text = run("stats", "--index", index).output
    assert f"language of the text: fr {facets['fr']}," in text and "main language: fr " in text


def test_stats_without_projects_has_no_project_line(lone_index):
    result = run("stats", "--index", lone_index)
    assert result.exit_code == 0
    assert "project" not in result.output
    assert "1 document, 1 passage\n" in result.output


def test_counts_are_in_the_singular_for_one(lone_index):
    text = run("search", "traite", "--index", lone_index).output
    assert text.startswith("1 document matches 'traite'")
    assert "1 documents" not in text


# --- the site over HTTP ---------------------------------------------------------------------------


#: Read by create_app: unset for every site of these tests unless a test sets one.
SETTINGS = ("ARCHIVE_ORGANISATION", "ARCHIVE_PUBLIC_URL")


def live_site(index_dir: Path, **options) -> LiveServer:
    from search.web import create_app

    with pytest.MonkeyPatch.context() as patch:
        for name in SETTINGS:
            patch.delenv(name, raising=False)
        return LiveServer(create_app(index_dir, **options)).start()


@pytest.fixture(scope="module")
def site(index):
    live = live_site(index)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def http(site):
    with httpx.Client(base_url=site.url, timeout=30) as client:
        yield client


@pytest.mark.parametrize("name, lower, upper", [
    ("lang", "fr", "FR"), ("lang", "nl", "NL"), ("type", "report", "Report"), ("project", "declic", "DECLIC"),
    ("project", "op-alpha", "Opération Alpha"),
])
def test_site_and_api_accept_any_case(http, name, lower, upper):
    api = http.get("/api/search", params={name: upper})
    assert api.status_code == 200, api.text
    assert api.json()["total"] == http.get("/api/search", params={name: lower}).json()["total"] > 0
    page = http.get("/", params={name: upper})
    assert page.status_code == 200
    assert f'<input type="hidden" name="{name}" value="{lower}">' in page.text  # the filter is the canonical one
    assert http.get("/api/search.csv", params={name: upper}).status_code == 200


def test_api_and_page_date_errors_say_how_to_write_a_date(http):
    api = http.get("/api/search", params={"from": "2019/05/02"})
    assert api.status_code == 422 and "use YYYY-MM-DD, for example 2019-05-02" in api.text
    page = http.get("/", params={"from": "2019/05/02"})
    assert page.status_code == 400 and "use YYYY-MM-DD, for example 2019-05-02" in page.text


def test_csv_export_has_the_visibility_column(http):
    rows = list(csv.DictReader(io.StringIO(http.get("/api/search.csv", params={"q": "traite"}).text)))
    assert rows and {r["visibility"] for r in rows} == {"public"}


@pytest.mark.parametrize("ui, expected", [
    ("fr", "ne contient aucun mot à chercher"),
    ("nl", "bevat geen woorden om naar te zoeken"),
])
def test_query_errors_are_in_the_readers_language(http, ui, expected):
    page = http.get("/", params={"q": '"', "ui": ui})
    assert page.status_code == 400
    assert expected in page.text and "search for" not in page.text
    assert "has no words to search for" in http.get("/", params={"q": '"', "ui": "en"}).text
    assert http.get("/api/search", params={"q": '"'}).status_code == 400


def test_french_punctuation_has_its_narrow_no_break_space(http):
    from search.i18n import FR

    for key, value in FR.items():
        for text in (value if isinstance(value, tuple) else (value,)):
            assert not re.search(r"(?<!\u202f)[?!;»]|(?<!\u202f):(?=\s|$)|«(?!\u202f)", text), (key, text)
    page = http.get("/", params={"q": "traitte", "ui": "fr"}).text
    assert re.search(r"Vouliez-vous dire <a [^>]+>traite</a>\u202f\?", page)
    english = http.get("/", params={"q": "traitte", "ui": "en"}).text
    assert re.search(r"Did you mean <a [^>]+>traite</a>\?", english)


def test_facet_language_and_overview_count_the_same_documents(http):
    facets = http.get("/api/search").json()["facets"]["lang"]
    stats = http.get("/api/stats").json()
    assert stats["lang"] == facets
    assert stats["main_lang"]["nl"] == facets["nl"] - 1
    page = http.get("/stats", params={"ui": "en"}).text
    assert "Documents per year, by main language" in page
    search = http.get("/", params={"ui": "en"}).text
    assert "Language of the text" in search


def test_overview_chart_names_every_project(http):
    page = http.get("/stats", params={"ui": "en"}).text
    chart = page[page.index('id="chart-project"'):]
    chart = chart[:chart.index("</svg>")]
    for name in PROJECTS.values():
        assert f">{name}</text>" in chart, name
    assert ">Other</text>" not in chart


# --- 19: whose archive it is --------------------------------------------------------------------------------


def citation_of(page: str) -> str:
    return re.search(r'<p class="citation"[^>]*>(.*?)</p>', page, re.S).group(1)


def about_of(page: str) -> str:
    return re.search(r'<p class="about">(.*?)</p>', page, re.S).group(1)


def brand_of(page: str) -> str:
    return re.search(r'<span class="brand-name">(.*?)</span>', page, re.S).group(1)


@pytest.mark.parametrize("ui", ["fr", "nl", "en"])
def test_without_an_archive_file_the_pages_name_no_one(http, site, ui):
    from html import unescape

    from search.i18n import MESSAGES

    page = http.get("/", params={"ui": ui}).text
    assert brand_of(page) == MESSAGES[ui]["site_name"]  # "Archives", not "ECPAT Belgique · Archives"
    assert f"<title>{MESSAGES[ui]['nav_search']} · {MESSAGES[ui]['site_name']}</title>" in page
    assert unescape(about_of(page)) == MESSAGES[ui]["footer_anonymous"]
    assert "ECPAT" not in page
    hit = http.get("/api/search", params={"q": "adolescents"}).json()["hits"][0]
    document = http.get(f"/documents/{hit['id']}", params={"ui": ui}).text
    assert "ECPAT" not in document
    date = {"fr": "3 mars 2021", "nl": "3 maart 2021", "en": "March 3, 2021"}[ui]
    assert unescape(citation_of(document)) == (f"Communiqué de presse : le projet (Dé)clic dans les écoles. {date}. "
                                               f"{site.url}/documents/{hit['id']}")


def test_the_corpus_file_names_ecpat_in_each_language(tmp_path):
    import tomllib
    from html import unescape

    from indexer.sync import SyncOptions, sync
    from search.names import Organisation

    declared = tomllib.loads((ROOT / "corpus" / "archive.toml").read_text(encoding="utf-8"))
    note = ROOT / "corpus" / "notes" / "2016-09-27-compte-rendu-groupe-stop.txt"  # a real file of the corpus
    report = sync([note], tmp_path / "index", SyncOptions(jobs=1))
    assert not report.failed and report.documents == 1
    assert Organisation.for_index(tmp_path / "index", name="", public_url="").source == ROOT / "corpus" / "archive.toml"
    live = live_site(tmp_path / "index")
    try:
        with httpx.Client(base_url=live.url, timeout=30) as client:
            doc_id = client.get("/api/search").json()["hits"][0]["id"]
            for ui, name in (("fr", "ECPAT Belgique"), ("nl", "ECPAT België"), ("en", "ECPAT Belgium")):
                page = client.get("/", params={"ui": ui}).text
                assert declared["name"][ui] == name
                assert brand_of(page) == f"{name} · {declared_site_name(ui)}"
                assert unescape(about_of(page)) == declared["about"][ui] and name in declared["about"][ui]
                citation = unescape(citation_of(client.get(f"/documents/{doc_id}", params={"ui": ui}).text))
                assert f". {name}, " in citation and citation.endswith(f"{live.url}/documents/{doc_id}")
    finally:
        live.stop()


def declared_site_name(ui: str) -> str:
    from search.i18n import MESSAGES

    return str(MESSAGES[ui]["site_name"])


ARCHIVE_TOML = """\
public_url = "https://archives.example.org/depot/"

[name]
fr = "Maison des droits de l’enfant"
nl = "Huis van de Kinderrechten"
en = "Children's Rights House"

[about]
fr = "Les publications de la Maison des droits de l’enfant."
nl = "De publicaties van het Huis van de Kinderrechten."
en = "The publications of the Children's Rights House."
"""


@pytest.fixture(scope="module")
def declared_index(tmp_path_factory) -> Path:
    """The (Dé)clic press release in a folder whose archive.toml names an organisation and a public address."""
    from indexer.sync import SyncOptions, sync

    base = tmp_path_factory.mktemp("declared")
    folder = base / "house" / "press"  # the file is found in a parent folder too, as projects.toml is
    folder.mkdir(parents=True)
    (base / "house" / "archive.toml").write_text(ARCHIVE_TOML, encoding="utf-8")
    (folder / "declic_2021.txt").write_text(DOCUMENTS["declic_2021.txt"] + "\n", encoding="utf-8")
    report = sync([folder], base / "index", SyncOptions(jobs=1))
    assert not report.failed and report.documents == 1
    return base / "index"


def pages(index_dir: Path, env: dict[str, str] | None = None, **options) -> tuple[str, dict[str, tuple[str, str]]]:
    """(the site's address, ui -> (search page, document page)) of a site over ``index_dir``."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        from search.web import create_app

        app = create_app(index_dir, **options)
    live = LiveServer(app).start()
    try:
        with httpx.Client(base_url=live.url, timeout=30) as client:
            doc_id = client.get("/api/search").json()["hits"][0]["id"]
            return live.url, {ui: (client.get("/", params={"ui": ui}).text,
                                   client.get(f"/documents/{doc_id}", params={"ui": ui}).text) for ui in ("fr", "nl", "en")}
    finally:
        live.stop()


def test_the_file_beside_the_documents_says_whose_archive_it_is_and_where(declared_index, monkeypatch):
    from html import unescape

    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    _, shown = pages(declared_index)
    for ui, name, about in (("fr", "Maison des droits de l’enfant", "Les publications de la Maison des droits de l’enfant."),
                            ("nl", "Huis van de Kinderrechten", "De publicaties van het Huis van de Kinderrechten."),
                            ("en", "Children's Rights House", "The publications of the Children's Rights House.")):
        page, document = (unescape(text) for text in shown[ui])
        assert brand_of(page) == f"{name} · {declared_site_name(ui)}" and about_of(page) == about
        citation = citation_of(document)
        assert f". {name}, " in citation
        assert re.search(r" https://archives\.example\.org/depot/documents/[0-9a-f]+$", citation), citation
        assert "ECPAT" not in page + document


@pytest.mark.parametrize("how", ["environment", "options"])
def test_the_name_and_the_public_address_can_be_set_over_the_file(declared_index, monkeypatch, how):
    from html import unescape

    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    settings = {"organisation": "Kinderrechtenhuis vzw", "public_url": "https://kinderrechten.example/"}
    if how == "environment":
        url, shown = pages(declared_index, {"ARCHIVE_ORGANISATION": settings["organisation"],
                                            "ARCHIVE_PUBLIC_URL": settings["public_url"]})
    else:
        url, shown = pages(declared_index, **settings)
    page, document = (unescape(text) for text in shown["fr"])
    assert brand_of(page) == "Kinderrechtenhuis vzw · Archives"
    # The file's about line speaks of the organisation it names: the interface's line, with the new name, instead.
    assert about_of(page).startswith("Ces archives rassemblent") and "publiés par Kinderrechtenhuis vzw" in about_of(page)
    assert "Maison des droits" not in page + document and "archives.example.org" not in document
    assert re.search(r"\. Kinderrechtenhuis vzw, 3 mars 2021\. https://kinderrechten\.example/documents/[0-9a-f]+$",
                     citation_of(document)), citation_of(document)
    for ui in ("nl", "en"):
        assert brand_of(unescape(shown[ui][0])).startswith("Kinderrechtenhuis vzw · ")


def test_the_organisation_is_set_in_one_place(index, monkeypatch):
    """Without a file, $ARCHIVE_ORGANISATION alone names the organisation, in every language."""
    from html import unescape

    monkeypatch.delenv("ARCHIVE_PUBLIC_URL", raising=False)
    url, shown = pages(index, {"ARCHIVE_ORGANISATION": "Kinderrechtenhuis vzw"})
    for ui, (page, document) in shown.items():
        assert brand_of(page).startswith("Kinderrechtenhuis vzw · ") and "ECPAT" not in page
        assert "Kinderrechtenhuis vzw" in unescape(about_of(page))
        assert ". Kinderrechtenhuis vzw, " in unescape(citation_of(document))
        assert f" {url}/documents/" in citation_of(document)  # no public address: the request's


@pytest.mark.parametrize("text, ui, name, about", [
    ('name = "Child Focus"\n', "nl", "Child Focus", None),  # one name for every language
    ('[name]\nen = "ECPAT Belgium"\nfr = "ECPAT Belgique"\n', "nl", "ECPAT Belgium", None),  # else the English one
    ('[name]\nnl = "Myria"\n[about]\nnl = "Het archief van Myria."\n', "fr", "Myria", "Het archief van Myria."),
    ('[about]\nen = "Notes of the team."\n', "fr", None, "Notes of the team."),  # says what it is, names no one
    ("", "en", None, None),
])
def test_what_an_archive_file_gives_in_each_language(tmp_path, text, ui, name, about):
    from search.names import Organisation

    (tmp_path / "archive.toml").write_text(text, encoding="utf-8")
    found = Organisation.load(tmp_path / "archive.toml")
    assert (found.name(ui), found.about_line(ui), found.public_url) == (name, about, None)


@pytest.mark.parametrize("text, problem", [
    ('name = ["ECPAT"]\n', "name must be a string or a table"),
    ('[name]\nde = "ECPAT Belgien"\n', "name.de: the languages are fr, nl, en"),
    ('public_url = "archive.example.org"\n', "is not a public address"),
    ('organisation = "ECPAT"\n', "unknown key 'organisation'"),
    ('name = "ECPAT\n', "cannot read whose archive it is"),
])
def test_a_malformed_archive_file_stops_serve_and_says_what_is_wrong(tmp_path, text, problem):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text(DOCUMENTS["bravo_2016.txt"] + "\n", encoding="utf-8")
    assert run("ingest", folder, "--index", tmp_path / "index", "-j", 1, "--quiet").exit_code == 0
    (folder / "archive.toml").write_text(text, encoding="utf-8")
    import os
    import subprocess

    command = [sys.executable, "-m", "search.cli", "serve", "--index", str(tmp_path / "index"),
               "--port", str(free_port_in_range()), "--workers", "1"]
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    try:  # a server that starts despite the file would never return
        result = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("archive serve started with a malformed archive.toml")
    assert result.returncode == 1, result.stderr
    assert str(folder / "archive.toml") in result.stderr and problem in result.stderr
    assert "Serving" not in result.stdout and "Traceback" not in result.stderr


def test_a_public_url_that_is_not_an_address_is_a_usage_error(index):
    result = run("serve", "--index", index, "--public-url", "archive.example.org", "--port", free_port_in_range())
    assert result.exit_code == 2
    assert "Invalid value for '--public-url'" in result.output and "write it as https://" in result.output


# --- the real command, over real HTTP (ports 8741-8749) ---------------------------------------------


def free_port_in_range() -> int:
    for port in range(8741, 8750):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8741-8749")


@pytest.mark.parametrize("workers, how", [(1, "option"), (2, "environment")])
def test_serve_public_url_is_the_start_of_each_citation(index, workers, how):
    """With several workers each process builds its site from the environment: the address reaches them too."""
    import os
    import subprocess
    import time

    port = free_port_in_range()
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    command = [sys.executable, "-m", "search.cli", "serve", "--index", str(index), "--port", str(port),
               "--workers", str(workers)]
    if how == "option":
        command += ["--public-url", "https://archive.example.org/"]
    else:
        env["ARCHIVE_PUBLIC_URL"] = "https://archive.example.org/"
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while True:
            try:
                doc_id = httpx.get(url + "/api/search", params={"q": "adolescents"}, timeout=5).json()["hits"][0]["id"]
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read().decode()
                time.sleep(0.2)
        citations = {citation_of(httpx.get(f"{url}/documents/{doc_id}", params={"ui": "en"}, timeout=10).text)
                     for _ in range(2 * workers)}  # every worker answers the same
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert citations == {f"Communiqué de presse : le projet (Dé)clic dans les écoles. March 3, 2021. "
                         f"https://archive.example.org/documents/{doc_id}"}, citations


def test_readme_and_corpus_readme_say_where_the_organisation_is_set():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    corpus = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    for text in (readme, corpus):
        assert "archive.toml" in text and "--public-url" in text and "ARCHIVE_PUBLIC_URL" in text
    assert "by default ECPAT" not in readme
