"""The HTML extractor, on pages written here for the purpose."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archive.dates import find_date, parse_date
from archive.errors import ExtractionError
from archive.extractors import extractor_for
from archive.extractors.html import chunk_paragraphs, extract
from archive.options import ExtractOptions

OPTIONS = ExtractOptions()

FILLER_FR = (
    "Les bénévoles de l'association ont accompagné plus de trois cents familles cette année, "
    "dans toutes les provinces du pays, avec le soutien des services communaux et des écoles. "
    "Le rapport complet détaille les actions menées et les moyens qui restent nécessaires. "
)
FILLER_NL = (
    "De vrijwilligers van de organisatie begeleidden dit jaar meer dan driehonderd gezinnen, "
    "in alle provincies van het land, met de steun van de gemeentelijke diensten en de scholen. "
    "Het volledige verslag beschrijft de acties en de middelen die nog nodig zijn. "
)
FILLER_EN = (
    "Volunteers from the organisation supported more than three hundred families this year, "
    "in every province of the country, with the help of municipal services and schools. "
    "The full report describes the work done and the resources still needed. "
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def run(path: Path, options: ExtractOptions = OPTIONS):
    return extract(path, path.read_bytes(), options)


NEWS_PAGE = f"""<!DOCTYPE html>
<html lang="fr-BE"><head><meta charset="utf-8">
<title>Actualités | Child Focus</title><meta property="og:type" content="website"></head>
<body>
<nav><a href="/">Accueil</a> <a href="/actualites">Actualités</a> <a href="/contact">Contact</a></nav>
<main><h1>Actualités</h1>
<article><h2>Campagne de sensibilisation dans les écoles</h2>
  <p class="date">Le 6 novembre 2019</p>
  <p>{FILLER_FR}</p><p>Première annonce : la campagne démarre dans les écoles primaires.</p></article>
<article><h2>Nieuwe hulplijn voor jongeren</h2>
  <p>Gepubliceerd op 12 maart 2020</p>
  <p>{FILLER_NL}</p><p>Tweede bericht: de hulplijn is dag en nacht bereikbaar.</p></article>
<article><h2>Rapport annuel 2020</h2>
  <time datetime="2021-02-01">1er février 2021</time>
  <p>{FILLER_FR}</p><p>Troisième annonce : le rapport annuel est disponible.</p></article>
</main>
<footer>© Child Focus — Mentions légales — Plan du site</footer>
</body></html>"""


def test_news_page_with_three_articles_becomes_three_documents(tmp_path):
    docs = run(write(tmp_path, "news.html", NEWS_PAGE))
    assert [d.part for d in docs] == [0, 1, 2]
    assert [d.title for d in docs] == [
        "Campagne de sensibilisation dans les écoles",
        "Nieuwe hulplijn voor jongeren",
        "Rapport annuel 2020",
    ]
    assert [d.date for d in docs] == [dt.date(2019, 11, 6), dt.date(2020, 3, 12), dt.date(2021, 2, 1)]
    assert "Première annonce" in docs[0].text and "Tweede bericht" not in docs[0].text
    assert "Tweede bericht" in docs[1].text and "Troisième annonce" not in docs[1].text
    assert "Troisième annonce" in docs[2].text
    for doc in docs:
        assert doc.format == "html" and doc.path.endswith("news.html")
        assert doc.hints["html_lang"] == "fr"
        assert "Mentions légales" not in doc.text and "Accueil" not in doc.text
        assert all(p.page is None for p in doc.passages)


def test_news_listing_without_article_elements_is_split(tmp_path):
    items = "".join(
        f'<div class="news-item"><h3>{title}</h3><span class="meta">{date}</span><p>{FILLER_NL}</p></div>'
        for title, date in (("Eerste nieuws", "3 januari 2022"), ("Tweede nieuws", "17 februari 2022"))
    )
    page = f'<html lang="nl"><head><title>Nieuws</title></head><body><div class="list">{items}</div></body></html>'
    docs = run(write(tmp_path, "nieuws.html", page))
    assert [(d.title, d.date) for d in docs] == [
        ("Eerste nieuws", dt.date(2022, 1, 3)),
        ("Tweede nieuws", dt.date(2022, 2, 17)),
    ]


TEASER = ("A summary written for the related-links box, long enough to look like an article on its own: "
          "it has a heading, a date and more than two hundred characters of text outside its link, which "
          "is what a naive rule would take for a second article on the page.")

ARTICLE_WITH_TEASERS = f"""<html lang="en"><head>
<meta property="og:title" content="Helpline answers record number of calls | Example News">
<meta property="article:published_time" content="2023-05-04T09:30:00+02:00">
<meta name="author" content="Jane Doe">
<script type="application/ld+json">
  {{"@type": "NewsArticle", "headline": "Helpline answers record number of calls"}}</script>
<title>Helpline answers record number of calls | Example News</title></head><body>
<header><a href="/">Example News</a></header>
<article class="story"><h1>Helpline answers record number of calls</h1>
  <p>{FILLER_EN}</p><p>{FILLER_EN.upper()}</p><p>MAIN-STORY-END</p>
  <h2>What happens next</h2><p>{FILLER_EN}</p></article>
<section class="more-stories">
  <article><h3><a href="/a">Another story about schools</a></h3><time>3 May 2023</time><p>{TEASER}</p></article>
  <article><h3><a href="/b">A third story about volunteers</a></h3><time>2 May 2023</time><p>{TEASER}</p></article>
</section>
<article><h3><a href="/c">A teaser outside any related zone</a></h3><p>{TEASER}</p></article>
</body></html>"""


def test_main_article_with_related_teasers_stays_one_document(tmp_path):
    docs = run(write(tmp_path, "story.html", ARTICLE_WITH_TEASERS))
    assert len(docs) == 1
    doc = docs[0]
    assert doc.title == "Helpline answers record number of calls"
    assert doc.date == dt.date(2023, 5, 4)
    assert doc.hints == {"html_lang": "en", "type": "article", "author": "Jane Doe"}
    assert "MAIN-STORY-END" in doc.text and "What happens next" in doc.text
    assert not doc.text.startswith("Helpline answers")  # the title is not repeated as text


def test_blog_post_with_reader_comments_stays_one_document(tmp_path):
    comments = "".join(
        f'<article class="comment-body"><h4>Reader {n}</h4><time datetime="2023-05-0{n}">{n} May 2023</time>'
        f"<p>{FILLER_EN}</p></article>" for n in (5, 6)
    )
    page = (f"<html><head><title>Why we volunteer</title></head><body><article><h2>Why we volunteer</h2>"
            f"<p>{FILLER_EN}</p><p>POST-END</p></article><section id='comments'>{comments}</section></body></html>")
    docs = run(write(tmp_path, "blog.html", page))
    assert len(docs) == 1
    assert docs[0].title == "Why we volunteer" and "POST-END" in docs[0].text


def test_single_article_with_sections_is_not_split(tmp_path):
    sections = "".join(f"<h2>Section {n}</h2><p>{FILLER_EN}</p>" for n in range(4))
    page = f"<html><head><title>A long report</title></head><body><div>{sections}</div></body></html>"
    docs = run(write(tmp_path, "report.html", page))
    assert len(docs) == 1
    assert all(f"Section {n}" in docs[0].text for n in range(4))


BOILERPLATE_PAGE = f"""<html lang="nl"><head><title>Jaarverslag 2022 - Myria</title></head><body>
<div id="cookie-banner"><p>Deze website gebruikt cookies. COOKIEWORD accepteren of weigeren.</p>
  <button>Alles accepteren</button></div>
<nav class="menu"><ul><li><a href="/">NAVWORD Home</a></li><li><a href="/over">Over ons</a></li></ul></nav>
<main><h1>Jaarverslag 2022</h1>
  <div class="share-buttons"><a href="#">SHAREWORD Facebook</a> <a href="#">Twitter</a></div>
  <p>{FILLER_NL}</p><p>{FILLER_NL}</p><p>Het verslag is beschikbaar in drie talen.</p>
  <p>Lees ook: RELATEDWORD vorig jaarverslag</p>
  <p>Advertentie</p>
</main>
<footer><p>FOOTERWORD Myria, Koningsstraat 138, 1000 Brussel</p></footer>
</body></html>"""


def test_boilerplate_is_left_out(tmp_path):
    [doc] = run(write(tmp_path, "myria.html", BOILERPLATE_PAGE))
    assert "Het verslag is beschikbaar in drie talen." in doc.text
    assert "De vrijwilligers van de organisatie" in doc.text
    for word in ("COOKIEWORD", "NAVWORD", "SHAREWORD", "FOOTERWORD", "RELATEDWORD", "Advertentie"):
        assert word not in doc.text
    assert doc.title == "Jaarverslag 2022"
    assert doc.hints["html_lang"] == "nl"


@pytest.mark.parametrize("declared", ['<meta charset="windows-1252">',
                                      '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
                                      ""])
def test_cp1252_page_keeps_its_accents(tmp_path, declared):
    text = f"<p>Les élèves ont reçu « leur » prix — à Liège, déjà ! {FILLER_FR}</p>"
    page = f"<html><head>{declared}<title>Été à Liège</title></head><body>{text}</body></html>"
    [doc] = run(write(tmp_path, "cp1252.html", page.encode("cp1252")))
    assert "Les élèves ont reçu « leur » prix — à Liège, déjà !" in doc.text
    assert doc.title == "Été à Liège"


def test_utf8_page_declaring_latin1_or_with_a_stray_byte_stays_utf8(tmp_path):
    body = f"<p>Les élèves ont reçu leur prix à Liège. {FILLER_FR}</p>"
    mislabelled = f'<html><head><meta charset="iso-8859-1"><title>Été</title></head><body>{body}</body></html>'
    [doc] = run(write(tmp_path, "latin1.html", mislabelled.encode("utf-8")))
    assert doc.title == "Été" and "Les élèves ont reçu leur prix à Liège." in doc.text
    stray = f"<html><head><title>Été</title></head><body>{body}<p>fin \x92</p></body></html>"
    [doc] = run(write(tmp_path, "stray.html", stray.encode("utf-8").replace(b"\xc2\x92", b"\x92")))
    assert "Les élèves ont reçu leur prix à Liège." in doc.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_page_with_bom(tmp_path, encoding):
    page = (f"<html lang='fr'><head><title>Vérité</title></head>"
            f"<body><p>Ça marche très bien. {FILLER_FR}</p></body></html>")
    data = page.encode(encoding) if encoding == "utf-16" else b"\xfe\xff" + page.encode(encoding)
    [doc] = run(write(tmp_path, "utf16.html", data))
    assert "Ça marche très bien." in doc.text
    assert doc.title == "Vérité"


@pytest.mark.parametrize("data, reason", [
    (bytes(range(256)) * 40, "not HTML: looks like binary data"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not HTML: looks like binary data"),
    (b"", "empty file"),
    (b"  \n\t ", "empty file"),
    (b"<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>", "no text found"),
])
def test_unreadable_files_raise_with_a_reason(tmp_path, data, reason):
    path = write(tmp_path, "bad.html", data)
    with pytest.raises(ExtractionError) as info:
        run(path)
    assert info.value.reason == reason


def test_too_large_file_is_refused(tmp_path):
    path = write(tmp_path, "big.html", "<p>" + "x" * 5000 + "</p>")
    with pytest.raises(ExtractionError, match="too large"):
        run(path, ExtractOptions(max_file_bytes=1000))


def test_deeply_nested_page_still_gives_its_text(tmp_path):
    depth = 5000
    page = "<html><body>" + "<div>" * depth + f"<p>Deep paragraph. {FILLER_EN}</p>" + "</div>" * depth
    page += "<p>After the nesting.</p></body></html>"
    [doc] = run(write(tmp_path, "deep.html", page))
    assert "Deep paragraph." in doc.text and "After the nesting." in doc.text


def test_passages_join_short_paragraphs_and_cut_long_ones():
    long_paragraph = "".join(f"Sentence number {i} is here. " for i in range(400))  # about 11,000 characters
    passages = chunk_paragraphs(["Short one."] * 5 + [long_paragraph], max_chars=10**9)
    assert passages[0].startswith("Short one.\n\nShort one.\n\nShort one.")
    assert len(passages) > 5 and all(len(p) <= 2 * 1500 for p in passages)
    assert all(p.endswith("is here.") for p in passages)  # cut at sentence ends
    assert sum(p.count("Sentence number") for p in passages) == 400  # nothing lost


def test_passages_stop_at_max_text_chars():
    passages = chunk_paragraphs(["a" * 800, "b" * 800, "c" * 800], max_chars=1000)
    assert sum(len(p.replace("\n\n", "")) for p in passages) == 1000


def test_registry_routes_html_here(tmp_path):
    path = write(tmp_path, "page.htm", f"<html><body><p>{FILLER_EN}</p></body></html>")
    [doc] = extractor_for(path)(path, path.read_bytes(), OPTIONS)
    assert doc.text.startswith("Volunteers from the organisation")


@pytest.mark.parametrize("text, expected", [
    ("Le 6 novembre 2019", dt.date(2019, 11, 6)),
    ("mercredi 1er mai 2019", dt.date(2019, 5, 1)),
    ("6 november 2019", dt.date(2019, 11, 6)),
    ("zaterdag 1 februari 2025, 20u07", dt.date(2025, 2, 1)),
    ("November 6, 2019", dt.date(2019, 11, 6)),
    ("Nov. 6th 2019", dt.date(2019, 11, 6)),
    ("2019-11-06", dt.date(2019, 11, 6)),
    ("2023-08-30T12:52:08+00:00", dt.date(2023, 8, 30)),
    ("06/11/2019", dt.date(2019, 11, 6)),
    ("23.05.2011", dt.date(2011, 5, 23)),
    ("il y a 3 jours", None),
    ("6 novembre", None),
    ("", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_find_date_takes_the_first_plausible_date():
    text = "Article 1234 du code, 350 euros. Publié le 3 mars 2021, mis à jour le 2021-03-05."
    assert find_date(text) == dt.date(2021, 3, 3)
    assert find_date("En 1850, le 4 juillet 1850 ...") is None
    assert find_date("Geen datum hier.") is None
