"""The web site and JSON API over real HTTP: a real corpus, a real index, a real uvicorn server.

The corpus is written here (French, Dutch and English notes, one internal
document carrying a unique marker word, one document whose title is a script
tag, and a three-page PDF when the PDF stack is available). Nothing of our own
is mocked: every request goes through uvicorn, FastAPI, the engine and Whoosh.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import socket
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest

MARKER = "zorglubinternal"
STAFF_TOKEN = "test-staff-token-0123456789"
XSS_TITLE = "<script>alert(1)</script>"

PROJECTS_TOML = """
[alert]
name = "ALERT"
case_sensitive = ["ALERT"]

[react]
name = "ReACT"
case_sensitive = ["ReACT"]
"""

# name -> text. Every public document mentions ECPAT, so "ECPAT" finds them all (for pagination).
PUBLIC = {
    "fr_traite_2019.md": """
        ---
        title: Rapport sur la traite des enfants en Belgique
        date: 2019-11-06
        ---
        ECPAT Belgique présente son étude sur la traite des enfants et les évènements sportifs.
        Le projet ALERT forme les professionnels de première ligne à repérer les victimes.

        Le budget de la prévention reste trop faible selon les associations de terrain.
        """,
    "fr_declic_2021.md": """
        ---
        title: Communiqué de presse sur le projet Déclic dans les écoles
        date: 2021-03-03
        ---
        Communiqué de presse. ECPAT lance des ateliers pour aider les adolescents à se protéger des risques en ligne.
        Les animations organisées dans vingt écoles ont réuni plus de mille élèves et leurs enseignants.
        """,
    "fr_formation_2016.txt": """
        Formation des travailleurs de l'aide à la jeunesse

        ECPAT a organisé une journée de formation sur la traite des enfants pour les services de l'aide à la jeunesse.
        Les participants ont appris à reconnaître les signes d'exploitation chez les mineurs.
        """,
    "fr_tourisme_2017.md": """
        ---
        title: Sensibilisation des étudiants en tourisme à Namur
        date: 2017-03-29
        ---
        ECPAT a rencontré les étudiants en tourisme pour parler de la protection des enfants dans les voyages.
        Les futurs professionnels du secteur savent désormais comment signaler une situation suspecte.
        """,
    "fr_ligne_2020.md": """
        ---
        title: Le confinement et l'exploitation des enfants en ligne
        date: 2020-04-20
        ---
        Pendant le confinement, ECPAT constate une hausse des signalements d'exploitation sexuelle des enfants en ligne.
        Les parents sont invités à parler avec leurs enfants des risques sur les réseaux sociaux.
        """,
    "nl_kinderhandel_2020.md": """
        ---
        title: Persbericht over een nieuwe opleiding over kinderhandel
        date: 2020-03-12
        ---
        ECPAT België lanceert een opleiding over mensenhandel en kinderhandel voor voogden.
        Het project ReACT ondersteunt slachtoffers en hun begeleiders in heel het land.
        """,
    "nl_voogden_2021.txt": """
        Verslag van de opleiding voor voogden

        ECPAT gaf een opleiding aan voogden van niet-begeleide minderjarige vreemdelingen.
        De deelnemers leerden de signalen van uitbuiting en kinderhandel herkennen.
        """,
    "nl_dag_2023.md": """
        ---
        title: Europese dag tegen seksuele uitbuiting van kinderen
        date: 2023-11-18
        ---
        Op de Europese dag vraagt ECPAT meer aandacht voor de bescherming van kinderen tegen online uitbuiting.
        Scholen en ouders krijgen nieuw materiaal om met jongeren over veiligheid op het internet te praten.
        """,
    "nl_studie_2019.md": """
        ---
        title: Studie over meldingen van kinderhandel
        date: 2019-11-20
        ---
        Een nieuwe studie van ECPAT toont dat veel gevallen van kinderhandel nooit gemeld worden.
        De onderzoekers bevelen een betere samenwerking tussen politie en hulpverlening aan.
        """,
    "en_trafficking_2022.md": """
        ---
        title: Press release on child trafficking and major sporting events
        date: 2022-06-03
        ---
        ECPAT warns that major sporting events increase the risk of child trafficking and exploitation.
        The campaign asks travellers and hotel staff to report suspicious situations to the police.
        """,
    "en_report_2018.md": """
        ---
        title: Annual report of the children's rights network
        date: 2018-01-15
        ---
        ECPAT trained four hundred professionals on online safety for children during the year.
        Volunteers organised workshops about the safe use of social media by teenagers.
        """,
    "en_hotel_2017.txt": """
        Notes from the hotel staff training

        ECPAT trainers showed hotel receptionists how to recognise signs of child exploitation.
        The staff practised what to do when a guest behaves suspiciously with a minor.
        """,
    "en_euro_2024.md": """
        ---
        title: Child protection during the European football championship
        date: 2024-06-13
        ---
        ECPAT and its partners prepared a child protection plan for the football championship.
        Stewards and volunteers were trained to spot trafficking and exploitation around the stadiums.
        """,
    "en_airline_2021.html": """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Training for airline staff on child protection</title>
        <meta property="article:published_time" content="2021-09-14"></head>
        <body><article><h1>Training for airline staff on child protection</h1>
        <p>ECPAT trained cabin crews of two airlines to recognise children travelling with adults who may exploit them.</p>
        <p>The crews learned how to report their concerns discreetly to the captain and to the police at the airport.</p>
        <script>document.title = "scripted";</script>
        </article></body></html>
        """,
    "xss.txt": f"""
        {XSS_TITLE}

        Ce document de test vérifie que ECPAT affiche les titres comme du texte et jamais comme du code.
        La protection des enfants en ligne passe aussi par des sites web sûrs.
        """,
}

INTERNAL_NAME = "internal_notes.txt"
INTERNAL_TEXT = f"""
    Staff meeting notes {MARKER}

    The {MARKER} budget for ECPAT child protection work was discussed by the team.
    Only staff may read these notes about {MARKER} planning and trafficking cases.
    """
INTERNAL_SIDECAR = {"visibility": "internal", "projects": [MARKER], "date": "1999-05-05"}


def _write_pdf(path: Path) -> bool:
    """A three-page English PDF (with reportlab, when installed); page 2 mentions guardianship."""
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas
    except ImportError:
        return False
    pages = [
        ["ECPAT annual activity report", "This report describes the work of the year for children in Belgium."],
        ["Guardianship of unaccompanied minors", "ECPAT trained guardians on guardianship and the signs of trafficking."],
        ["Finances and thanks", "The organisation thanks its volunteers, donors and partners for their support."],
    ]
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("ECPAT annual activity report")
    for lines in pages:
        y = 780
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 24
        pdf.showPage()
    pdf.save()
    return True


def write_web_corpus(folder: Path) -> dict:
    """Write the corpus; returns what the tests need to know about it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "projects.toml").write_text(PROJECTS_TOML, encoding="utf-8")
    for name, text in PUBLIC.items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    internal = folder / INTERNAL_NAME
    internal.write_text(textwrap.dedent(INTERNAL_TEXT).strip() + "\n", encoding="utf-8")
    (folder / (INTERNAL_NAME + ".meta.json")).write_text(json.dumps(INTERNAL_SIDECAR), encoding="utf-8")
    has_pdf = _write_pdf(folder / "report_pages.pdf")
    return {"folder": folder, "internal_path": internal.resolve(), "has_pdf": has_pdf}


def build_index(base: Path) -> dict:
    from indexer.sync import sync

    info = write_web_corpus(base / "corpus")
    index_dir = base / "index"
    report = sync([info["folder"]], index_dir)
    failed = {Path(p).name: reason for p, reason in report.failed}
    if info["has_pdf"] and "report_pages.pdf" in failed:
        info["has_pdf"] = False  # the PDF stack is not complete here; the page-anchor test skips
        failed.pop("report_pages.pdf")
    assert not failed, failed
    info["index_dir"] = index_dir
    info["public_count"] = len(PUBLIC) + (1 if info["has_pdf"] else 0)
    from archive.pipeline import document_id

    info["internal_id"] = document_id(str(info["internal_path"]), 0)
    return info


# --- a real server in a background thread ----------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a daemon thread, until ``stop``."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/static/style.css", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the test server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def web_index(tmp_path_factory) -> dict:
    return build_index(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def server(web_index):
    from search.web import create_app

    live = LiveServer(create_app(web_index["index_dir"])).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as client:
        yield client


def raw_get(server: LiveServer, target: str) -> int:
    """The status of a request whose path is sent byte for byte (no client-side normalisation of ``..``)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
        head = sock.recv(4096).decode("latin-1")
    return int(head.split(" ", 2)[1])


def ids_of(data: dict) -> list[str]:
    return [h["id"] for h in data["hits"]]


def public_ids(http) -> list[str]:
    return ids_of(http.get("/api/search", params={"per_page": 100}).json())


# --- search API ----------------------------------------------------------------------


def test_search_json_has_the_cli_fields(http):
    data = http.get("/api/search", params={"q": "traite enfants"}).json()
    assert set(data) == {"query", "total", "page", "per_page", "hits", "facets", "suggestion", "expanded", "notices"}
    assert data["total"] >= 2 and data["page"] == 1 and data["per_page"] == 10
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "path", "format", "type", "lang", "langs", "year", "date", "projects", "score",
                        "page", "passage_lang", "snippet", "highlights"}
    words = {hit["snippet"][s:e].lower() for s, e in hit["highlights"]}
    assert words & {"traite", "enfants"}
    assert set(data["facets"]) == {"year", "lang", "project", "type"}


def test_every_public_document_and_only_those(http, web_index):
    data = http.get("/api/search", params={"q": "ECPAT", "per_page": 100}).json()
    assert data["total"] == web_index["public_count"]
    assert sum(data["facets"]["lang"].values()) >= data["total"] - 1  # every document has a passage language


@pytest.mark.parametrize("params, expect", [
    ({"lang": "nl"}, lambda h: h["passage_lang"] == "nl"),
    ({"lang": "en"}, lambda h: h["passage_lang"] == "en"),
    ({"year": "2019"}, lambda h: h["year"] == 2019),
    ({"year": ["2019", "2020"]}, lambda h: h["year"] in (2019, 2020)),
    ({"project": "alert"}, lambda h: "alert" in h["projects"]),
    ({"type": "press_release"}, lambda h: h["type"] == "press_release"),
    ({"from": "2021-01-01"}, lambda h: h["date"] and h["date"] >= "2021-01-01"),
    ({"to": "2018-12-31"}, lambda h: h["date"] and h["date"] <= "2018-12-31"),
    ({"from": "2019-01-01", "to": "2020-12-31", "lang": "fr"}, lambda h: "2019" <= h["date"] < "2021" and h["passage_lang"] == "fr"),
])
def test_filters_narrow_the_results(http, params, expect):
    everything = http.get("/api/search", params={"q": "ECPAT", "per_page": 100}).json()
    data = http.get("/api/search", params={"q": "ECPAT", "per_page": 100, **params}).json()
    assert 0 < data["total"] < everything["total"]
    assert data["total"] == len(data["hits"])
    assert all(expect(h) for h in data["hits"]), data["hits"]


def test_facet_counts_match_the_filtered_totals(http):
    data = http.get("/api/search", params={"q": "ECPAT"}).json()
    assert set(data["facets"]["lang"]) >= {"fr", "nl", "en"}
    for lang, count in data["facets"]["lang"].items():
        assert http.get("/api/search", params={"q": "ECPAT", "lang": lang}).json()["total"] == count
    for year, count in data["facets"]["year"].items():
        assert http.get("/api/search", params={"q": "ECPAT", "year": year}).json()["total"] == count
    assert data["facets"]["project"].get("alert") == 1
    # A facet keeps offering the other values of a filter already applied.
    narrowed = http.get("/api/search", params={"q": "ECPAT", "lang": "fr"}).json()
    assert set(narrowed["facets"]["lang"]) >= {"fr", "nl", "en"}


def test_pagination_covers_every_hit_once(http):
    total = http.get("/api/search", params={"q": "ECPAT"}).json()["total"]
    seen = []
    for page in range(1, 5):
        data = http.get("/api/search", params={"q": "ECPAT", "per_page": 4, "page": page}).json()
        assert data["page"] == page and data["per_page"] == 4
        seen += ids_of(data)
    assert len(seen) == len(set(seen)) == total
    beyond = http.get("/api/search", params={"q": "ECPAT", "per_page": 4, "page": 50}).json()
    assert beyond["hits"] == [] and beyond["total"] == total


def test_sort_by_date_is_newest_first(http):
    data = http.get("/api/search", params={"q": "ECPAT", "sort": "date", "per_page": 100}).json()
    dates = [h["date"] for h in data["hits"] if h["date"]]
    assert dates == sorted(dates, reverse=True)


def test_csv_export(http, web_index):
    response = http.get("/api/search.csv", params={"q": "ECPAT"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    from search.output import CSV_FIELDS

    assert tuple(rows[0]) == CSV_FIELDS
    assert len(rows) - 1 == web_index["public_count"]
    assert http.get("/api/search.csv", params={"per_page": 1000}).status_code == 200
    assert http.get("/api/search.csv", params={"per_page": 1001}).status_code == 422


def test_cross_language_parameter_is_accepted(http):
    assert http.get("/api/search", params={"q": "kinderhandel", "cross_language": "true"}).status_code == 200


# --- documents, similar, stats ------------------------------------------------------------


def test_document_json_and_page(http):
    hit = http.get("/api/search", params={"q": "kinderhandel"}).json()["hits"][0]
    doc = http.get(f"/api/documents/{hit['id']}", params={"q": "kinderhandel"}).json()
    assert doc["id"] == hit["id"] and doc["title"] == hit["title"] and doc["visibility"] == "public"
    assert any(p["highlights"] for p in doc["passages"])
    page = http.get(f"/documents/{hit['id']}", params={"q": "kinderhandel"})
    assert page.status_code == 200
    assert re.search(r"<mark>kinderhandel</mark>", page.text, re.I)
    assert 'id="passage-1"' in page.text
    assert f'href="/documents/{hit["id"]}/file"' in page.text


def test_document_file_is_the_original(http, web_index):
    hit = http.get("/api/search", params={"q": "voogden opleiding"}).json()["hits"][0]
    response = http.get(f"/documents/{hit['id']}/file")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.content == Path(hit["path"]).read_bytes()


def test_archived_web_pages_are_served_inert(http):
    hit = http.get("/api/search", params={"q": "airline cabin crews"}).json()["hits"][0]
    assert hit["format"] == "html"
    response = http.get(f"/documents/{hit['id']}/file")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp  # its script cannot run in the site's origin
    assert b"<script>" in response.content  # the original, unchanged


def test_pdf_pages_have_anchors_and_page_links(http, web_index):
    if not web_index["has_pdf"]:
        pytest.skip("PDF extraction is not available here")
    data = http.get("/api/search", params={"q": "guardianship"}).json()
    hit = data["hits"][0]
    assert hit["format"] == "pdf" and hit["page"] == 2
    page = http.get(f"/documents/{hit['id']}", params={"q": "guardianship"}).text
    assert 'id="page-2"' in page and 'id="page-3"' in page
    assert f"/documents/{hit['id']}/file#page=2" in page
    search_page = http.get("/", params={"q": "guardianship"}).text
    assert f"/documents/{hit['id']}?q=guardianship#page-2" in search_page
    assert f"/documents/{hit['id']}/file#page=2" in search_page
    file = http.get(f"/documents/{hit['id']}/file")
    assert file.headers["content-type"] == "application/pdf" and file.content.startswith(b"%PDF")


def test_similar_documents(http):
    hit = http.get("/api/search", params={"q": "kinderhandel opleiding"}).json()["hits"][0]
    data = http.get(f"/api/documents/{hit['id']}/similar", params={"limit": 3}).json()
    assert data["id"] == hit["id"]
    assert 0 < len(data["hits"]) <= 3
    assert hit["id"] not in ids_of(data)


def test_stats(http, web_index):
    stats = http.get("/api/stats").json()
    assert stats["documents"] == web_index["public_count"]
    assert set(stats["lang"]) >= {"fr", "nl", "en"}
    assert "2019" in stats["year"] and "1999" not in stats["year"] and MARKER not in stats["project"]
    page = http.get("/stats").text
    assert "<svg" in page and "<title" in page and "<desc" in page and "<table" in page
    assert 'id="total-documents"' in page


def test_openapi_describes_the_api(http):
    spec = http.get("/openapi.json").json()
    for path in ("/api/search", "/api/search.csv", "/api/documents/{doc_id}", "/api/documents/{doc_id}/similar", "/api/stats"):
        assert path in spec["paths"], path
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert names >= {"q", "lang", "year", "project", "type", "from", "to", "sort", "page", "per_page", "cross_language"}


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/documents/0123456789abcdef", "/documents/0123456789abcdef/file", "/api/documents/0123456789abcdef",
    "/api/documents/0123456789abcdef/similar", "/no/such/page", "/documents/bad%20id%3Cx%3E",
])
def test_unknown_ids_are_404(http, path):
    assert http.get(path).status_code == 404


@pytest.mark.parametrize("params", [
    {"page": "-1"}, {"page": "0"}, {"page": "abc"}, {"page": "99999999999"}, {"year": "abc"}, {"year": "-5"},
    {"from": "notadate"}, {"to": "2024-13-45"}, {"sort": "xyz"}, {"lang": "xx"}, {"type": "memo"},
    {"per_page": "0"}, {"per_page": "101"},
])
def test_bad_parameters_are_client_errors(http, params):
    page = http.get("/", params=params)
    assert page.status_code == 400, page.text
    assert "text/html" in page.headers["content-type"]
    assert "Traceback" not in page.text
    api = http.get("/api/search", params=params)
    assert api.status_code in (400, 422), api.text


@pytest.mark.parametrize("query", ['"', "(", ")", "*", "~", "title:", "a AND", "NOT", "[a TO", "{x", "^", "\\", "OR OR", "le la les", "x" * 600])
def test_odd_queries_never_fail_the_server(http, query):
    for path in ("/", "/api/search", "/api/search.csv"):
        response = http.get(path, params={"q": query})
        assert response.status_code in (200, 400, 422), (path, query, response.status_code)


def test_bad_parameter_page_says_what_is_wrong_and_keeps_the_query(http):
    response = http.get("/", params={"q": "traite", "year": "abc"}, headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert "«\u202fyear\u202f» doit être un nombre entier" in response.text  # narrow no-break spaces inside « »
    assert 'value="traite"' in response.text  # the search box is there to fix the search


def test_empty_form_fields_are_ignored(http):
    response = http.get("/?q=ECPAT&from=&to=&sort=&lang=")
    assert response.status_code == 200


@pytest.mark.parametrize("target", [
    "/documents/../../../../etc/passwd/file",
    "/documents/..%2F..%2F..%2Fetc%2Fpasswd/file",
    "/documents/%2e%2e/file",
    "/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd/file",
    "/static/../web.py",
    "/static/..%2fweb.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
])
def test_path_traversal_is_refused(server, target):
    assert raw_get(server, target) in (400, 404)


def test_file_route_ignores_paths_in_the_request(http):
    hit = http.get("/api/search", params={"q": "voogden opleiding"}).json()["hits"][0]
    response = http.get(f"/documents/{hit['id']}/file", params={"path": "/etc/passwd", "file": "../../etc/passwd"})
    assert response.content == Path(hit["path"]).read_bytes()


def test_unexpected_errors_give_a_plain_500_and_are_logged(web_index, caplog):
    """A route that fails on purpose, added to a real app, shows the guard at work."""
    from search.web import create_app

    app = create_app(web_index["index_dir"])

    def broken():
        raise RuntimeError("secret internals")

    app.add_api_route("/broken", broken)
    app.add_api_route("/api/broken", broken)
    live = LiveServer(app).start()
    try:
        with caplog.at_level(logging.ERROR):
            page = httpx.get(live.url + "/broken")
            api = httpx.get(live.url + "/api/broken")
    finally:
        live.stop()
    assert page.status_code == 500 and "secret internals" not in page.text and "Traceback" not in page.text
    assert "text/html" in page.headers["content-type"]
    assert api.status_code == 500 and api.json() == {"detail": "internal error"}
    assert page.headers["x-content-type-options"] == "nosniff"
    assert any("secret internals" in (r.exc_text or "") or (r.exc_info and "secret internals" in str(r.exc_info[1]))
               for r in caplog.records)


# --- safety ----------------------------------------------------------------------------


def test_titles_and_queries_are_escaped(http):
    page = http.get("/", params={"q": "sites web sûrs"}).text
    assert XSS_TITLE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    reflected = http.get("/", params={"q": "<script>alert(2)</script>"}).text
    assert "<script>alert(2)" not in reflected
    hit = http.get("/api/search", params={"q": "sites web sûrs"}).json()["hits"][0]
    assert hit["title"] == XSS_TITLE  # the API gives the data as it is; JSON is not HTML
    doc_page = http.get(f"/documents/{hit['id']}", params={"q": "<b>x</b>"}).text
    assert XSS_TITLE not in doc_page and "<b>x</b>" not in doc_page
    error_page = http.get("/", params={"year": "<img src=x onerror=alert(3)>"})
    assert error_page.status_code == 400 and "<img src=x" not in error_page.text


@pytest.mark.parametrize("path", ["/", "/?q=ECPAT", "/stats", "/api/search", "/static/style.css", "/documents/nope", "/?page=-1"])
def test_security_headers(http, path):
    headers = http.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_no_inline_script_in_pages(http):
    page = http.get("/", params={"q": "ECPAT"}).text
    scripts = re.findall(r"<script[^>]*>", page)  # the one script, its URL versioned (?v=) for long caching
    assert len(scripts) == 1 and re.fullmatch(r'<script src="/static/app\.js(\?v=[0-9a-f]+)?" defer>', scripts[0])
    assert not re.search(r"<[^>]+\son\w+=", page)  # no inline event handlers either


# --- internal documents stay internal ---------------------------------------------------------


def _marker_free(text: str, echoed: dict | None = None) -> bool:
    """No marker in ``text``, apart from the request's own parameters echoed back (the search box, the chips)."""
    text = text.lower()
    for value in (echoed or {}).values():
        value = str(value)
        for form in (value, quote_plus(value), quote(value)):
            text = text.replace(form.lower(), "")
    return MARKER not in text


@pytest.mark.parametrize("path, params", [
    ("/", {"q": MARKER}),
    ("/", {"q": "ECPAT"}),
    ("/", {}),
    ("/", {"q": "zorglubintrenal"}),
    ("/", {"project": MARKER}),
    ("/api/search", {"q": MARKER}),
    ("/api/search", {"q": f"{MARKER[:8]}*"}),
    ("/api/search", {"q": "budget"}),
    ("/api/search", {"q": "ECPAT", "per_page": 100}),
    ("/api/search", {}),
    ("/api/search", {"q": "zorglubintrenal"}),
    ("/api/search", {"q": "zorglubintrenal budget"}),
    ("/api/search", {"q": "zorglubintrenal OR budgte"}),
    ("/api/search", {"q": "staff meeting notes"}),
    ("/api/search", {"year": "1999"}),
    ("/api/search", {"project": MARKER}),
    ("/api/search.csv", {"q": "ECPAT"}),
    ("/api/search.csv", {"q": MARKER}),
    ("/api/search.csv", {}),
    ("/api/stats", {}),
    ("/stats", {}),
])
def test_internal_marker_never_appears(http, path, params):
    response = http.get(path, params=params)
    assert response.status_code in (200, 400)
    assert _marker_free(response.text, params), (path, params)
    if path.startswith("/api/search") and not path.endswith(".csv") and response.status_code == 200:
        data = response.json()
        assert "1999" not in data["facets"]["year"] and all(h["year"] != 1999 for h in data["hits"])
        if not data["total"]:
            assert data["hits"] == []


@pytest.mark.parametrize("params", [{"project": MARKER}, {"q": MARKER, "project": "nosuchproject"}])
def test_unknown_or_internal_only_projects_are_unknown_to_the_public(http, params):
    """A project known only from internal documents is an unknown project to the public, and never listed."""
    response = http.get("/api/search", params=params)
    assert response.status_code == 400
    assert "unknown project" in response.text and "ALERT" in response.text
    assert _marker_free(response.text, params)


@pytest.mark.parametrize("params", [
    {"year": "1999"}, {"q": "budget", "lang": "und"},
    {"q": "staff meeting", "from": "1990-01-01", "to": "1999-12-31"}, {"q": "ECPAT", "type": "report", "year": "1999"},
])
def test_filters_matching_nothing_list_nothing(http, params):
    """A filter that matches no public document must not let the internal one through."""
    data = http.get("/api/search", params=params).json()
    assert data["total"] == 0 and data["hits"] == []
    page = http.get("/", params=params)
    assert '<ol class="hits"' not in page.text and "Staff meeting" not in page.text


def test_internal_document_is_not_counted(http, web_index):
    assert http.get("/api/search", params={"q": MARKER}).json()["total"] == 0
    assert http.get("/api/search", params={"q": "budget"}).json()["total"] == 1
    assert http.get("/api/stats").json()["documents"] == web_index["public_count"]
    assert http.get("/api/search", params={"year": "1999"}).json()["total"] == 0


@pytest.mark.parametrize("template", ["/documents/{id}", "/documents/{id}?q=budget", "/documents/{id}/file",
                                      "/api/documents/{id}", "/api/documents/{id}/similar"])
def test_internal_document_is_404(http, web_index, template):
    response = http.get(template.format(id=web_index["internal_id"]))
    assert response.status_code == 404
    assert _marker_free(response.text)


def test_similar_lists_and_document_pages_never_show_it(http, web_index):
    for doc_id in public_ids(http):
        similar = http.get(f"/api/documents/{doc_id}/similar", params={"limit": 50})
        assert _marker_free(similar.text)
        assert web_index["internal_id"] not in similar.text
        assert _marker_free(http.get(f"/documents/{doc_id}", params={"q": "budget"}).text)


# --- interface language ------------------------------------------------------------------


@pytest.mark.parametrize("accept, lang, word", [
    ("fr-BE,fr;q=0.9,en;q=0.5", "fr", "Rechercher"),
    ("nl-BE,nl;q=0.9", "nl", "Zoeken"),
    ("en-GB,en;q=0.9", "en", "Search"),
    ("de-DE,de;q=0.9", "en", "Search"),
    ("de;q=0.9,nl;q=0.8,fr;q=0.7", "nl", "Zoeken"),
])
def test_interface_language_from_accept_language(http, accept, lang, word):
    page = http.get("/", headers={"Accept-Language": accept}).text
    assert f'<html lang="{lang}">' in page and word in page


def test_language_switch_sets_a_cookie(server):
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/", params={"q": "ECPAT", "ui": "nl"}, headers={"Accept-Language": "fr"})
        assert '<html lang="nl">' in page.text
        assert client.cookies.get("ui") == "nl"
        again = client.get("/stats", headers={"Accept-Language": "fr"})
        assert '<html lang="nl">' in again.text


def test_page_is_accessible_without_javascript(http):
    page = http.get("/", params={"q": "ECPAT"}).text
    assert '<label for="q">' in page and 'role="search"' in page and '<main id="main"' in page
    assert 'href="#main"' in page and "<h1>" in page
    assert 'aria-label="' in page and 'aria-current="page"' in page  # nav and pagination
    assert 'method="get"' in page and 'action="/"' in page


# --- staff mode ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staff_server(web_index):
    from search.web import create_app

    live = LiveServer(create_app(web_index["index_dir"], staff_token=STAFF_TOKEN)).start()
    yield live
    live.stop()


@pytest.mark.parametrize("path", ["/api/search?q=ECPAT", "/api/stats", "/openapi.json", "/api/search.csv"])
def test_staff_api_needs_the_token(staff_server, path):
    response = httpx.get(staff_server.url + path)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert _marker_free(response.text)
    wrong = httpx.get(staff_server.url + path, headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401


@pytest.mark.parametrize("path", ["/", "/?q=ECPAT", "/stats", "/documents/whatever"])
def test_staff_pages_redirect_to_login(staff_server, path):
    response = httpx.get(staff_server.url + path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert _marker_free(response.text)


def test_staff_bearer_token_shows_internal_documents(staff_server, web_index):
    auth = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    data = httpx.get(staff_server.url + "/api/search", params={"q": MARKER}, headers=auth).json()
    assert data["total"] == 1 and data["hits"][0]["id"] == web_index["internal_id"]
    assert httpx.get(staff_server.url + "/api/stats", headers=auth).json()["documents"] == web_index["public_count"] + 1
    doc = httpx.get(staff_server.url + f"/api/documents/{web_index['internal_id']}", headers=auth)
    assert doc.status_code == 200 and doc.json()["visibility"] == "internal"


def test_staff_login_cookie(staff_server, web_index):
    with httpx.Client(base_url=staff_server.url) as client:
        assert client.get("/login").status_code == 200
        assert client.get("/static/style.css").status_code == 200
        wrong = client.post("/login", data={"token": "nope", "next": "/"})
        assert wrong.status_code == 401 and not client.cookies
        ok = client.post("/login", data={"token": STAFF_TOKEN, "next": f"/?q={MARKER}"}, follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == f"/?q={MARKER}"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert STAFF_TOKEN.lower() not in cookie  # the cookie is derived from the token, not the token
        page = client.get("/", params={"q": MARKER})
        assert page.status_code == 200 and MARKER in page.text.lower()
        doc = client.get(f"/documents/{web_index['internal_id']}")
        assert doc.status_code == 200 and "badge" in doc.text
        assert client.get(f"/documents/{web_index['internal_id']}/file").status_code == 200
        assert client.post("/logout", follow_redirects=False).status_code == 303
        client.cookies.clear()
        assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_elsewhere(staff_server, target):
    response = httpx.post(staff_server.url + "/login", data={"token": STAFF_TOKEN, "next": target})
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_public_server_has_no_login(http):
    assert http.get("/login").status_code == 404
    assert http.post("/login", data={"token": STAFF_TOKEN}).status_code in (404, 405)


def test_the_site_sees_a_new_ingest_without_restarting(tmp_path):
    """One engine per app, refreshed by the engine itself when the index changes."""
    from indexer.sync import sync
    from search.web import create_app

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "first.txt").write_text("Premier document\n\nUn texte sur la protection des enfants en Belgique.\n", encoding="utf-8")
    sync([folder], tmp_path / "index")
    live = LiveServer(create_app(tmp_path / "index")).start()
    try:
        assert httpx.get(live.url + "/api/search", params={"q": "quokkaword"}).json()["total"] == 0
        (folder / "second.txt").write_text("Second document\n\nThis text mentions quokkaword for the test.\n", encoding="utf-8")
        sync([folder], tmp_path / "index")
        deadline = time.monotonic() + 10
        while httpx.get(live.url + "/api/search", params={"q": "quokkaword"}).json()["total"] == 0:
            assert time.monotonic() < deadline, "the new document never showed up"
            time.sleep(0.3)
    finally:
        live.stop()


def test_a_file_is_sent_with_the_charset_it_was_read_with(tmp_path):
    """Notes saved by older office software (windows-1252) and a page declaring Latin-1 are sent as
    they are, labelled with the charset the archive read them with, not as UTF-8."""
    from fastapi.testclient import TestClient

    from indexer.sync import SyncOptions, sync
    from search.web import create_app

    folder = tmp_path / "corpus"
    folder.mkdir()
    note = "Réunion du comité « enfants » : prochaine étape le 3 mars, 10 €.\n\nLes écoles participent à l'été.\n"
    (folder / "note_cp1252.txt").write_bytes(note.encode("cp1252"))
    (folder / "note_utf8.txt").write_text(note.replace("comité", "bureau"), encoding="utf-8")
    page = ("<html><head><meta charset='iso-8859-1'><title>Été des écoles</title></head>"
            "<body><p>Les élèves et les enseignants préparent l'été ensemble à Liège.</p></body></html>")
    (folder / "page_latin1.html").write_bytes(page.encode("cp1252"))
    report = sync([folder], tmp_path / "index", SyncOptions(jobs=1))
    assert not report.failed, report.failed
    client = TestClient(create_app(tmp_path / "index"))
    hits = {h["path"].rsplit("/", 1)[-1]: h["id"] for h in client.get("/api/search", params={"per_page": 10}).json()["hits"]}
    expected = {"note_cp1252.txt": "text/plain; charset=windows-1252", "note_utf8.txt": "text/plain; charset=utf-8",
                "page_latin1.html": "text/html; charset=windows-1252"}
    for name, content_type in expected.items():
        response = client.get(f"/documents/{hits[name]}/file")
        assert response.status_code == 200
        assert response.headers["content-type"] == content_type
        assert response.content == (folder / name).read_bytes()  # the original bytes
        assert "été" in response.text  # as a browser decodes it with that header
