"""Generate a large FR/NL/EN corpus for the search benchmarks from the public evaluation text.

    python bench/make_corpus.py [--docs 20000] [--seed 0] [--out DIR] [--data DIR] [--jobs N]

The text comes from ../shared/data (never from this repository): lingua's
fr/nl/en test sentences, the paragraphs the archive extracts from the public
PDFs (page by page) and the gold main text of the public HTML pages. Every
paragraph is tagged with its language by ``archive.language``; only fr, nl and
en paragraphs of at least 12 words are kept.

Each generated document recombines that text into one publication of 200-3000
words, in French, Dutch or English (a few Belgian-style bilingual FR+NL ones),
dated 2005-2025 with the date written in the text in the document's language,
naming 0-3 projects of ``corpus/projects.toml``, and of one type: press release
(titled "Communiqué de presse" / "Persbericht" / "Press release"), report
("Rapport", "Jaarverslag", "Report" ...), article (an HTML page) or note (plain
text). About 55 % are .txt, 40 % .html pages with menus and footers around the
article, and 5 % multi-page PDFs made with reportlab.

The output is a function of (seed, document number, source text) only: document
``i`` is the same whatever ``--docs`` is. PDFs are written in reportlab's
invariant mode. ``corpus.json`` (written last, so it also marks a finished
build) lists every document with the metadata it was generated with. The
output belongs under a temporary folder or ``bench/out/`` (ignored by git);
never commit it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import json
import os
import random
import re
import shutil
import sys
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_PROJECTS = ROOT / "corpus" / "projects.toml"
OUT = ROOT / "bench" / "out"
#: Bump when the generated documents change for the same seed and source text.
CORPUS_VERSION = 1
LANGS = ("fr", "nl", "en")
MIN_PARAGRAPH_WORDS = 12

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "nl": "januari februari maart april mei juni juli augustus september oktober november december".split(),
    "en": "January February March April May June July August September October November December".split(),
}
PLACES = {"fr": ("Bruxelles", "Liège", "Namur", "Mons", "Charleroi"),
          "nl": ("Brussel", "Antwerpen", "Gent", "Leuven", "Brugge"),
          "en": ("Brussels", "Antwerp", "Ghent", "Leuven", "Bruges")}
PRESS = {"fr": "Communiqué de presse", "nl": "Persbericht", "en": "Press release"}
REPORT_TITLES = {
    "fr": ("Rapport annuel {year}", "Rapport d'activités {year}", "Rapport : {headline}", "Étude : {headline}"),
    "nl": ("Jaarverslag {year}", "Activiteitenverslag {year}", "Rapport: {headline}", "Studie: {headline}"),
    "en": ("Annual report {year}", "Activity report {year}", "Report: {headline}", "Study: {headline}"),
}
PROJECT_SENTENCES = {
    "fr": ("Ce travail s'inscrit dans le cadre du projet {p}.", "Les partenaires du projet {p} ont participé à la rencontre.",
           "Plus d'informations sur {p} sont disponibles auprès de notre équipe.", "Le projet {p} se poursuivra l'an prochain."),
    "nl": ("Dit werk kadert in het project {p}.", "De partners van het project {p} namen deel aan de bijeenkomst.",
           "Meer informatie over {p} is verkrijgbaar bij ons team.", "Het project {p} loopt volgend jaar verder."),
    "en": ("This work is part of the {p} project.", "Partners of the {p} project took part in the meeting.",
           "More information about {p} is available from our team.", "The {p} project will continue next year."),
}
PRESS_CONTACT = {
    "fr": "Pour plus d'informations, contactez le service de presse au 02 000 00 00.",
    "nl": "Voor meer informatie kunt u contact opnemen met de persdienst op 02 000 00 00.",
    "en": "For more information, please contact the press office on +32 2 000 00 00.",
}
NAV = {
    "fr": ("Accueil", "Nos projets", "Publications", "Actualités", "Faire un don", "Contact"),
    "nl": ("Home", "Onze projecten", "Publicaties", "Nieuws", "Doe een gift", "Contact"),
    "en": ("Home", "Our projects", "Publications", "News", "Donate", "Contact"),
}
FOOTER = {
    "fr": "Tous droits réservés. Mentions légales · Politique de confidentialité · Gestion des cookies",
    "nl": "Alle rechten voorbehouden. Juridische informatie · Privacybeleid · Cookiebeheer",
    "en": "All rights reserved. Legal notice · Privacy policy · Cookie settings",
}
RELATED = {"fr": "À lire aussi", "nl": "Lees ook", "en": "Read also"}

#: (type, probability); the format follows from the type (see ``pick_format``).
TYPES = (("press_release", 0.25), ("report", 0.20), ("article", 0.35), ("other", 0.20))


# --- the source text ---------------------------------------------------------------


@dataclass
class Pool:
    sentences: dict[str, list[str]] = field(default_factory=dict)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)


def _split_lines(path: Path) -> list[str]:
    # "\n" only: the French sentences hold U+0085, which splitlines() would break on.
    return [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def _paragraphs(text: str) -> list[str]:
    out = []
    for block in re.split(r"\n\s*\n", text):
        para = " ".join(block.split())
        if len(para.split()) >= MIN_PARAGRAPH_WORDS and sum(c.isalpha() for c in para) >= 0.6 * len(para):
            out.append(para)
    return out


def _source_key(data: Path) -> str:
    """Changes when a source file, the extraction pipeline or this script's pool rules change."""
    from archive.pipeline import PIPELINE_VERSION

    digest = hashlib.sha256(f"{PIPELINE_VERSION}/{CORPUS_VERSION}/{MIN_PARAGRAPH_WORDS}".encode())
    for path in _source_files(data):
        st = path.stat()
        digest.update(f"{path.relative_to(data)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _source_files(data: Path) -> list[Path]:
    files = [data / "langid" / "sentences" / f"{lang}.txt" for lang in LANGS]
    files += sorted((data / "pdf").glob("*.pdf"))
    files += sorted(p for p in (data / "html").glob("*.gold.*") if p.suffix in (".txt", ".json"))
    return [p for p in files if p.is_file()]


def build_pool(data: Path, cache_dir: Path, log=print) -> Pool:
    """Sentences and paragraphs per language; cached, since PDF extraction takes minutes."""
    cache = cache_dir / f"pool-{_source_key(data)}.json"
    if cache.exists():
        return Pool(**json.loads(cache.read_text(encoding="utf-8")))
    from archive.errors import ArchiveError
    from archive.language import detect, repair
    from archive.options import ExtractOptions
    from archive.pipeline import extract_file

    pool = Pool({lang: [] for lang in LANGS}, {lang: [] for lang in LANGS}, {})
    for lang in LANGS:
        pool.sentences[lang] = [repair(s).replace("\x10", "") for s in _split_lines(data / "langid" / "sentences" / f"{lang}.txt")]

    def add(paras: list[str], source: str) -> None:
        kept = 0
        for para in paras:
            lang = detect(para)
            if lang in pool.paragraphs:
                pool.paragraphs[lang].append(para)
                kept += 1
        pool.sources[source] = kept

    options = ExtractOptions(ocr="never")
    for path in sorted((data / "pdf").glob("*.pdf")):
        log(f"  reading {path.name} ...")
        try:
            docs = extract_file(path, options)
        except ArchiveError as exc:
            log(f"  skipped {path.name}: {getattr(exc, 'reason', exc)}")
            continue
        add([para for doc in docs for passage in doc.passages for para in _paragraphs(passage.text)], path.name)
    for path in sorted((data / "html").glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text_file = path.with_name(path.name.replace(".gold.json", ".gold.txt"))
        if text_file.exists():
            text = text_file.read_text(encoding="utf-8")
        else:
            text = "\n\n".join(gold.get("paragraphs") or gold.get("with") or [])
        add(_paragraphs(text), path.name)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(asdict(pool), ensure_ascii=False), encoding="utf-8")
    return pool


def load_projects(path: Path) -> list[list[str]]:
    """For each project, the names it may be mentioned by (web addresses left out)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in data.values():
        names = [entry["name"], *entry.get("aliases", [])]
        out.append([n for n in names if "." not in n])
    return out


# --- one document ------------------------------------------------------------------


@dataclass
class Spec:
    number: int
    file: str
    format: str
    type: str
    lang: str
    langs: list[str]
    date: str
    year: int
    projects: list[int]  # indexes into the project list
    title: str
    words: int = 0
    pages: int | None = None


def _date_text(lang: str, date: dt.date, rng: random.Random) -> str:
    month = MONTHS[lang][date.month - 1]
    place = rng.choice(PLACES[lang])
    if lang == "fr":
        day = "1er" if date.day == 1 else str(date.day)
        return f"{place}, le {day} {month} {date.year}"
    if lang == "nl":
        return f"{place}, {date.day} {month} {date.year}"
    return rng.choice((f"{place}, {date.day} {month} {date.year}", f"{place}, {month} {date.day}, {date.year}"))


def _headline(pool: Pool, lang: str, rng: random.Random) -> str:
    """The first words of a test sentence: no digits (a year there would pass for the date)."""
    for _ in range(100):
        words = rng.choice(pool.sentences[lang]).split()
        if not any(c.isdigit() for w in words for c in w):
            break
    words = words[: rng.randint(4, min(10, max(4, len(words))))]
    while len(words) > 3 and len(words[-1].strip(".,;:!?»«\"'")) <= 3:
        words.pop()  # do not end on "de", "the", "een" ...
    text = " ".join(words).rstrip(".,;:!?»«\"' ")
    return text[:1].upper() + text[1:]


def _body(pool: Pool, lang: str, target: int, rng: random.Random) -> list[str]:
    """Paragraphs of about ``target`` words: runs of test sentences and real paragraphs, mixed."""
    paras: list[str] = []
    count = 0
    while count < target:
        if pool.paragraphs[lang] and rng.random() < 0.5:
            para = rng.choice(pool.paragraphs[lang])
        else:
            para = " ".join(rng.choice(pool.sentences[lang]) for _ in range(rng.randint(3, 7)))
        words = para.split()
        if count + len(words) > target + 40:
            words = words[: max(MIN_PARAGRAPH_WORDS, target - count)]
            para = " ".join(words).rstrip(",;:") + ("" if words[-1][-1:] in ".!?" else ".")
        paras.append(para)
        count += len(words)
    return paras


def pick_type(rng: random.Random) -> str:
    x = rng.random()
    for name, share in TYPES:
        if x < share:
            return name
        x -= share
    return TYPES[-1][0]


def pick_format(kind: str, rng: random.Random) -> str:
    x = rng.random()
    if kind == "article":
        return "html"
    if kind == "other":
        return "txt"
    if kind == "report":
        return "pdf" if x < 0.20 else "txt" if x < 0.65 else "html"
    return "pdf" if x < 0.05 else "txt" if x < 0.50 else "html"


def compose(number: int, seed: int, pool: Pool, projects: list[list[str]]) -> tuple[Spec, dict]:
    """Metadata and content of document ``number``; depends only on the seed, the number and the pool."""
    rng = random.Random(f"archive-bench/{seed}/{number}")
    lang = rng.choices(LANGS, weights=(0.40, 0.35, 0.25))[0]
    langs = [lang]
    if lang in ("fr", "nl") and rng.random() < 0.10:
        langs = ["fr", "nl"] if lang == "fr" else ["nl", "fr"]  # Belgian bilingual publication
    kind = pick_type(rng)
    fmt = pick_format(kind, rng)
    year = rng.randint(2005, 2025)
    date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    low = 800 if fmt == "pdf" or kind == "report" else 200
    target = int(round(2 ** rng.uniform(_log2(low), _log2(3000))))
    n_projects = rng.choices((0, 1, 2, 3), weights=(0.35, 0.40, 0.18, 0.07))[0]
    chosen = sorted(rng.sample(range(len(projects)), min(n_projects, len(projects))))

    headline = _headline(pool, lang, rng)
    if kind == "press_release":
        title = f"{PRESS[lang]} – {headline}" if lang != "fr" or rng.random() < 0.5 else f"{PRESS[lang]} : {headline}"
    elif kind == "report":
        title = rng.choice(REPORT_TITLES[lang]).format(year=year, headline=headline)
    else:
        title = headline

    sections = []
    share = target // len(langs)
    for part_lang in langs:
        paras = _body(pool, part_lang, share, rng)
        for index in chosen:
            name = rng.choice(projects[index])
            sentence = rng.choice(PROJECT_SENTENCES[part_lang]).format(p=name)
            at = rng.randrange(len(paras))
            paras[at] = f"{paras[at]} {sentence}"
        if kind == "press_release":
            paras.append(PRESS_CONTACT[part_lang])
        sections.append((part_lang, paras))
    dateline = _date_text(lang, date, rng)
    words = sum(len(p.split()) for _, paras in sections for p in paras)
    ext = {"txt": "txt", "html": "html", "pdf": "pdf"}[fmt]
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(headline.lower())).strip("-")[:40] or "document"
    name = f"{year}/{number:06d}-{lang}-{slug}.{ext}"
    spec = Spec(number, name, fmt, kind, lang, langs, date.isoformat(), year, chosen, title, words)
    content = {"title": title, "dateline": dateline, "sections": sections, "rng": rng.random()}
    return spec, content


def _log2(x: float) -> float:
    import math

    return math.log2(x)


def _ascii(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# --- writers -----------------------------------------------------------------------


def write_txt(path: Path, spec: Spec, content: dict) -> None:
    lines = [content["title"], "", content["dateline"], ""]
    for _lang, paras in content["sections"]:
        for para in paras:
            lines += [para, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_html(path: Path, spec: Spec, content: dict) -> None:
    rng = random.Random(content["rng"])
    lang = spec.lang
    e = html.escape
    nav = "".join(f'<li><a href="/{lang}/{i}">{e(item)}</a></li>' for i, item in enumerate(NAV[lang]))
    body = []
    for n, (_part_lang, paras) in enumerate(content["sections"]):
        for i, para in enumerate(paras):
            if i and i % rng.randint(3, 6) == 0:
                body.append(f"<h2>{e(' '.join(para.split()[:rng.randint(3, 7)]).rstrip('.,;:'))}</h2>")
            body.append(f"<p>{e(para)}</p>")
        if n + 1 < len(content["sections"]):
            body.append("<hr>")
    og_type = "article" if spec.type in ("article", "press_release") else "website"
    related = "".join(f'<li><a href="/{lang}/news/{rng.randrange(10**6)}">{e(item)}</a></li>' for item in NAV[lang][1:4])
    page = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{e(content['title'])} | Archive benchmark</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{e(content['title'])}">
<meta name="description" content="{e(content['sections'][0][1][0][:150])}">
</head>
<body>
<header class="site-header"><a class="logo" href="/{lang}/">Archive benchmark</a>
<nav class="menu"><ul>{nav}</ul></nav></header>
<main>
<article>
<h1>{e(content['title'])}</h1>
<p class="meta"><time datetime="{spec.date}">{e(content['dateline'])}</time></p>
{chr(10).join(body)}
</article>
<aside class="related"><h3>{e(RELATED[lang])}</h3><ul>{related}</ul></aside>
</main>
<footer class="site-footer"><p>© {spec.year} Archive benchmark. {e(FOOTER[lang])}</p></footer>
</body>
</html>
"""
    path.write_text(page, encoding="utf-8")


_FONT: list[str] = []


def _font() -> str:
    """DejaVu Sans when installed (any character), else Helvetica (cp1252 only)."""
    if not _FONT:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF"):
            regular = Path(folder) / "DejaVuSans.ttf"
            if regular.exists():
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
                _FONT.append("DejaVuSans")
                break
        else:
            _FONT.append("Helvetica")
    return _FONT[0]


def write_pdf(path: Path, spec: Spec, content: dict) -> int:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    rl_config.invariant = 1  # no timestamps or random ids: the same bytes for the same input
    font = _font()

    def clean(text: str) -> str:
        if font == "Helvetica":
            text = text.encode("cp1252", "replace").decode("cp1252")
        return html.escape(text, quote=False)

    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=10)
    meta_style = ParagraphStyle("meta", fontName=font, fontSize=9, leading=12, spaceAfter=12)
    body_style = ParagraphStyle("body", fontName=font, fontSize=10, leading=13.5, spaceAfter=7)
    story = [Paragraph(clean(content["title"]), title_style), Paragraph(clean(content["dateline"]), meta_style)]
    for _lang, paras in content["sections"]:
        story += [Paragraph(clean(para), body_style) for para in paras]
        story.append(Spacer(1, 0.4 * cm))
    pages = []

    def number(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, str(doc.page))
        canvas.restoreState()
        pages.append(doc.page)

    doc = SimpleDocTemplate(str(path), pagesize=A4, title=content["title"], author="Archive benchmark", invariant=1,
                            leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    doc.build(story, onFirstPage=number, onLaterPages=number)
    return max(pages) if pages else 1


WRITERS = {"txt": write_txt, "html": write_html, "pdf": write_pdf}

_state: dict = {}


def _init(out: Path, seed: int, pool: Pool, projects: list[list[str]]) -> None:
    _state.update(out=out, seed=seed, pool=pool, projects=projects)


def _make(number: int) -> dict:
    spec, content = compose(number, _state["seed"], _state["pool"], _state["projects"])
    path = _state["out"] / spec.file
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = WRITERS[spec.format](path, spec, content)
    if spec.format == "pdf":
        spec.pages = pages
    return asdict(spec)


# --- the whole corpus --------------------------------------------------------------


def default_out(docs: int, seed: int) -> Path:
    return OUT / f"corpus-{docs}-s{seed}"


def read_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build(docs: int, seed: int, out: Path, data: Path = DEFAULT_DATA, projects_file: Path = DEFAULT_PROJECTS,
          jobs: int | None = None, force: bool = False, log=print) -> dict:
    """Write the corpus (unless the same one is already there) and return its manifest."""
    existing = read_manifest(out)
    if existing and not force and existing.get("version") == CORPUS_VERSION and existing.get("docs") == docs and existing.get("seed") == seed:
        log(f"corpus already built in {out} ({docs} documents, seed {seed})")
        return existing
    if out.exists():
        if not force and any(out.iterdir()) and existing is None:
            raise SystemExit(f"{out} exists and holds no finished corpus: remove it or pass --force")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.perf_counter()
    log("collecting source text (cached after the first run) ...")
    pool = build_pool(data, OUT / "cache", log)
    projects = load_projects(projects_file)
    log(f"source: {', '.join(f'{lang} {len(pool.sentences[lang])} sentences + {len(pool.paragraphs[lang])} paragraphs' for lang in LANGS)}")
    jobs = jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    log(f"writing {docs} documents to {out} with {jobs} processes ...")
    if jobs == 1:
        _init(out, seed, pool, projects)
        specs = [_make(i) for i in range(docs)]
    else:
        with ProcessPoolExecutor(jobs, initializer=_init, initargs=(out, seed, pool, projects)) as ex:
            specs = list(ex.map(_make, range(docs), chunksize=64))
    names = [p[0] for p in projects]
    for spec in specs:
        spec["projects"] = [names[i] for i in spec["projects"]]
    manifest = {"version": CORPUS_VERSION, "docs": docs, "seed": seed, "source": _source_key(data), "documents": specs}
    (out / "corpus.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=0), encoding="utf-8")
    formats = {f: sum(1 for s in specs if s["format"] == f) for f in WRITERS}
    words = sum(s["words"] for s in specs)
    log(f"wrote {docs} documents ({', '.join(f'{n} {f}' for f, n in formats.items())}; {words:,} words) in {time.perf_counter() - started:.1f} s")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="output folder (default: bench/out/corpus-DOCS-sSEED)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="public data folder (default: ../shared/data)")
    parser.add_argument("--projects", type=Path, default=DEFAULT_PROJECTS, help="project vocabulary (default: corpus/projects.toml)")
    parser.add_argument("--jobs", type=int, help="processes (default: all cores)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the same corpus is already there")
    args = parser.parse_args(argv)
    if not (args.data / "langid" / "sentences").is_dir():
        print(f"no public data in {args.data}; nothing to generate")
        return 0
    build(args.docs, args.seed, args.out or default_out(args.docs, args.seed), args.data, args.projects, args.jobs, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
