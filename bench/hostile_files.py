"""Hostile and broken files for the ingest, and a runner that checks nothing is lost.

    python bench/hostile_files.py OUT_DIR                  # write the files only
    python bench/hostile_files.py OUT_DIR --run [--jobs 2] [--wall 3600] [--skip CATEGORY]

Writes some 330 files into OUT_DIR (emptied first): truncated, byte-flipped and
encrypted PDFs made with reportlab, PDF and .docx decompression bombs, empty
files and binary data under every supported extension, HTML in legacy
encodings and UTF-16, 100,000 nested elements, a 50 MB text file, awkward file
names, symlink loops, unreadable files, plus about 60 good documents in French,
Dutch and English, each holding a marker word no other file has. What each
file is and what should become of it is kept in ``OUT_DIR/.cases.json`` (a
hidden file, so the ingest skips it).

With --run, everything is ingested together by ``archive ingest`` in a child
process, under a wall-clock limit, and the script checks that:

* the ingest finished (no hang, no crash) and printed its summary;
* every good document is found by its marker, exactly once, under its own path;
* every other file is either indexed or listed as failed with a reason:
  indexed + failed = files present - files meant to be ignored;
* files that must fail (binary data, bombs, encrypted) are not indexed;
* the peak memory of the ingest stays under --max-rss-mb.

It prints the reasons grouped, and the figures. Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import codecs
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES_FILE = ".cases.json"
#: --skip NAME leaves out these categories.
SKIPPABLE = {"pdf bomb": "bomb", "docx zip bomb": "bomb", "undecodable name": "undecodable-name"}
SUPPORTED = (".html", ".htm", ".xhtml", ".pdf", ".txt", ".text", ".md", ".markdown", ".docx")

# Short original paragraphs in each language; markers are added to them.
SAMPLES = {
    "fr": [
        "Le réseau a formé cette année des éducateurs, des policiers et des enseignants à reconnaître les signes "
        "d'exploitation chez les jeunes. Les formations ont eu lieu à Bruxelles, à Liège et à Namur.",
        "Les élèves ont reçu un cahier illustré qui explique leurs droits et les adresses où ils peuvent demander "
        "de l'aide. Les parents ont été invités à une soirée d'information au début de l'été.",
        "Une étude menée auprès de trois cents familles montre que les adolescents passent davantage de temps "
        "en ligne et qu'ils connaissent mal les règles de protection de la vie privée.",
    ],
    "nl": [
        "Het netwerk heeft dit jaar opvoeders, politiemensen en leerkrachten opgeleid om signalen van uitbuiting "
        "bij jongeren te herkennen. De opleidingen vonden plaats in Gent, Antwerpen en Leuven.",
        "De leerlingen kregen een geïllustreerd schrift dat hun rechten uitlegt en vertelt waar ze hulp kunnen "
        "vragen. De ouders werden in het begin van de zomer uitgenodigd op een informatieavond.",
        "Een onderzoek bij driehonderd gezinnen toont aan dat tieners meer tijd online doorbrengen en dat ze de "
        "regels over de bescherming van hun privacy slecht kennen.",
    ],
    "en": [
        "This year the network trained youth workers, police officers and teachers to recognise the signs of "
        "exploitation among young people. The sessions took place in Brussels, Ghent and Liège.",
        "Pupils received an illustrated booklet that explains their rights and where they can ask for help. "
        "Parents were invited to an information evening at the beginning of the summer.",
        "A survey of three hundred families shows that teenagers spend more time online and know little about "
        "the rules that protect their privacy.",
    ],
}
TITLES = {"fr": "Rapport d'activités du réseau", "nl": "Jaarverslag van het netwerk", "en": "Annual report of the network"}
#: Accented words that must come back intact from the legacy encodings (no mojibake).
ACCENT_CHECK = "élèves ont reçu"


@dataclass
class Case:
    name: str  # path relative to OUT_DIR
    category: str
    expect: str  # indexed | failed | either | ignored (skipped without a report) | gone (reported or skipped)
    marker: str = ""  # a word found in this file only
    check: str = ""  # a phrase the indexed text must contain


class Marker:
    """Unique letter-only words (digits would be split off by some tokenizers)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            word = "zq" + "".join(self.rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
            if word not in self.used:
                self.used.add(word)
                return word


def body_text(lang: str, marker: str, k: int = 0) -> list[str]:
    paras = list(SAMPLES[lang])
    paras = paras[k % 3:] + paras[: k % 3]
    words = paras[1].split(" ")
    words.insert(len(words) // 2, marker)
    paras[1] = " ".join(words)
    return paras


# --- good documents, one writer per format -------------------------------------


def text_bytes(lang: str, marker: str, k: int = 0) -> bytes:
    return (TITLES[lang] + "\n\n" + "\n\n".join(body_text(lang, marker, k)) + "\n").encode("utf-8")


def markdown_bytes(lang: str, marker: str, k: int = 0) -> bytes:
    paras = body_text(lang, marker, k)
    return (f"# {TITLES[lang]}\n\n" + f"**{paras[0]}**\n\n- {paras[1]}\n\n> {paras[2]}\n").encode("utf-8")


def html_text(lang: str, marker: str, k: int = 0, charset: str = "utf-8") -> str:
    paras = "".join(f"<p>{p}</p>\n" for p in body_text(lang, marker, k))
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="{charset}"><title>{TITLES[lang]}</title></head>\n'
            f'<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>\n<main><article><h1>{TITLES[lang]}</h1>\n'
            f"{paras}</article></main>\n<footer>Contact - Privacy</footer></body></html>\n")


def pdf_bytes(paras: list[str], title: str = "", pages: int = 1, compress: bool = True, encrypt=None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1 if compress else 0, encrypt=encrypt)
    if title:
        c.setTitle(title)
    for page in range(pages):
        y = 800
        c.setFont("Helvetica-Bold", 14)
        c.drawString(60, y, f"{title or 'Document'} ({page + 1})")
        c.setFont("Helvetica", 10)
        for para in paras:
            y -= 24
            line = ""
            for word in para.split():
                if len(line) + len(word) > 90:
                    c.drawString(60, y, line)
                    y -= 14
                    line = ""
                line = f"{line} {word}".strip()
            c.drawString(60, y, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def docx_bytes(lang: str, marker: str, k: int = 0) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = TITLES[lang]
    document.add_heading(TITLES[lang], level=1)
    for para in body_text(lang, marker, k):
        document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def good_document(fmt: str, lang: str, marker: str, k: int = 0) -> bytes:
    if fmt == "txt":
        return text_bytes(lang, marker, k)
    if fmt == "md":
        return markdown_bytes(lang, marker, k)
    if fmt == "html":
        return html_text(lang, marker, k).encode("utf-8")
    if fmt == "pdf":
        return pdf_bytes(body_text(lang, marker, k), TITLES[lang])
    if fmt == "docx":
        return docx_bytes(lang, marker, k)
    raise ValueError(fmt)


# --- bombs -------------------------------------------------------------------------


def deflate_zeros(size: int, chunk: int = 1 << 22) -> bytes:
    """``size`` zero bytes, zlib-compressed, without holding them in memory."""
    z = zlib.compressobj(9)
    block = bytes(chunk)
    out = []
    for _ in range(size // chunk):
        out.append(z.compress(block))
    out.append(z.compress(bytes(size % chunk)))
    out.append(z.flush())
    return b"".join(out)


def pdf_bomb(stream_bytes: int, streams: int = 1) -> bytes:
    """A well-formed PDF whose page content streams inflate to ``stream_bytes`` each."""
    packed = deflate_zeros(stream_bytes)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(streams))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {streams} >>".encode())
    for i in range(streams):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R >>".encode())
        objects.append(f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed + b"\nendstream")
    return assemble_pdf(objects)


def assemble_pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def page_tree_loop_pdf() -> bytes:
    """A /Pages node that lists itself among its kids."""
    return assemble_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"])


_DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
               '<Default Extension="xml" ContentType="application/xml"/>'
               '<Default Extension="png" ContentType="image/png"/>'
               '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_package(path: Path, document_chunks, extra: dict[str, int] | None = None, junk_entries: int = 0) -> None:
    """A .docx written entry by entry; ``document_chunks`` yields document.xml piecewise,
    ``extra`` adds zero-filled parts (referenced from the document) of the given sizes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
        rels = "".join(f'<Relationship Id="rIdX{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="{name}"/>'
                       for i, name in enumerate(extra or {}))
        zf.writestr("word/_rels/document.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    + rels + "</Relationships>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            for chunk in document_chunks:
                fh.write(chunk)
        for name, size in (extra or {}).items():
            with zf.open(f"word/{name}", "w", force_zip64=True) as fh:
                block = bytes(1 << 22)
                for _ in range(size // len(block)):
                    fh.write(block)
        for i in range(junk_entries):
            zf.writestr(f"junk/{i}.xml", "")


def docx_xml(paragraphs, head: bool = True, tail: bool = True):
    if head:
        yield f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>'.encode()
    yield from paragraphs
    if tail:
        yield b"</w:body></w:document>"


# --- the catalogue --------------------------------------------------------------------


def generate(out: Path, seed: int = 0, skip: set[str] = frozenset()) -> list[Case]:
    """Write every file into ``out`` (emptied first); returns what each one is."""
    if out.exists():
        for sub in out.rglob("*"):
            if not sub.is_symlink():
                try:
                    sub.chmod(0o755 if sub.is_dir() else 0o644)
                except OSError:
                    pass
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    marker = Marker(rng)
    cases: list[Case] = []

    def add(name: str, data: bytes | None, category: str, expect: str, mark: str = "", check: str = "") -> Path:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data)
        cases.append(Case(name, category, expect, mark, check))
        return path

    # Good documents: 3 languages x 5 formats x 4.
    for lang in SAMPLES:
        for fmt in ("txt", "md", "html", "pdf", "docx"):
            for k in range(4):
                m = marker()
                add(f"good/{lang}_{fmt}_{k}.{fmt}", good_document(fmt, lang, m, k), "good", "indexed", m)

    # Damaged PDFs, from three valid ones (compressed, uncompressed, several pages).
    bases = [pdf_bytes(body_text("fr", "x"), "Base A"), pdf_bytes(body_text("nl", "x"), "Base B", compress=False),
             pdf_bytes(body_text("en", "x"), "Base C", pages=3)]
    for b, base in enumerate(bases):
        for offset in sorted(rng.sample(range(1, len(base)), 40)):
            add(f"pdf_truncated/base{b}_at_{offset:06d}.pdf", base[:offset], "pdf truncated", "either")
        for n in range(20):
            data = bytearray(base)
            for _ in range(rng.choice((1, 3, 10, 50))):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            add(f"pdf_flipped/base{b}_{n:02d}.pdf", bytes(data), "pdf byte-flipped", "either")

    from reportlab.lib.pdfencrypt import StandardEncryption

    for strength in (40, 128):
        add(f"pdf_encrypted/user_password_{strength}.pdf", pdf_bytes(body_text("en", "x"), "Secret", encrypt=StandardEncryption("secret", "owner", strength=strength)),
            "pdf encrypted", "failed")
        m = marker()  # no user password: any reader opens it
        add(f"pdf_encrypted/owner_only_{strength}.pdf", pdf_bytes(body_text("fr", m), "Ouvert", encrypt=StandardEncryption("", "owner", canCopy=0, strength=strength)),
            "pdf owner-password only", "indexed", m)
    add("pdf_encrypted/user_password_noprint.pdf", pdf_bytes(body_text("nl", "x"), "Geheim", encrypt=StandardEncryption("pw", canPrint=0)),
        "pdf encrypted", "failed")

    if "bomb" not in skip:
        add("bombs/pdf_500MB_zeros.pdf", pdf_bomb(500 * 10**6), "pdf bomb", "failed")
        add("bombs/pdf_2GB_zeros.pdf", pdf_bomb(2 * 10**9), "pdf bomb", "failed")
        add("bombs/pdf_8x100MB_pages.pdf", pdf_bomb(100 * 10**6, streams=8), "pdf bomb", "failed")
        docx_package(add("bombs/docx_1GB_spaces.docx", None, "docx zip bomb", "failed"),
                     docx_xml((b" " * (1 << 22) for _ in range(256)), tail=False))
        paragraph = b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p>"
        docx_package(add("bombs/docx_4M_paragraphs.docx", None, "docx zip bomb", "either"),
                     docx_xml(paragraph * 10000 for _ in range(400)))
        docx_package(add("bombs/docx_2GB_image.docx", None, "docx zip bomb", "either"),
                     docx_xml([b"<w:p><w:r><w:t>Image</w:t></w:r></w:p>"]), extra={"media/image1.png": 2 * 10**9})
    add("pdf_odd/page_tree_loop.pdf", page_tree_loop_pdf(), "pdf page-tree loop", "failed")
    m = marker()
    docx_package(add("docx_odd/100k_entries.docx", None, "docx many entries", "indexed", m),
                 docx_xml([f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>".encode() for p in body_text("en", m)]), junk_entries=100_000)
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10 if i else "lol"}">' for i in range(10))
    add("xml_bombs/billion_laughs.html", f'<?xml version="1.0"?><!DOCTYPE html [{laughs}]><html><body><p>&l9;</p></body></html>'.encode(),
        "entity bomb", "either")
    docx_package(add("xml_bombs/billion_laughs.docx", None, "entity bomb", "either"),
                 [f'<?xml version="1.0"?><!DOCTYPE w:document [{laughs}]><w:document {_W}><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>'.encode()])

    # Empty files and binary data under every extension.
    for ext in SUPPORTED:
        add(f"empty/empty{ext}", b"", "zero bytes", "failed")
    payloads = {
        "random": lambda: rng.randbytes(20_000),
        "png": lambda: b"\x89PNG\r\n\x1a\n" + rng.randbytes(5000),
        "elf": lambda: b"\x7fELF\x02\x01\x01" + bytes(64) + rng.randbytes(5000),
        "gzip": lambda: b"\x1f\x8b\x08\x00" + rng.randbytes(5000),
        "nul": lambda: bytes(10_000),
    }
    for ext in (".html", ".htm", ".pdf", ".docx", ".txt", ".md"):
        for kind, make in payloads.items():
            add(f"binary/{kind}{ext}", make(), "binary data", "failed")

    # HTML in legacy encodings and UTF-16: indexed, with the accents intact.
    for name, charset, encode in (
        ("cp1252_declared", "windows-1252", lambda s: s.encode("cp1252")),
        ("latin1_declared", "iso-8859-1", lambda s: s.encode("latin-1")),
        ("latin1_undeclared", "", lambda s: s.encode("latin-1")),
        ("utf16le_bom", "utf-16", lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le")),
        ("utf16be_bom", "utf-16", lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be")),
        ("utf8_bom", "utf-8", lambda s: codecs.BOM_UTF8 + s.encode("utf-8")),
        ("utf8_mislabelled_latin1", "iso-8859-1", lambda s: s.encode("utf-8")),
    ):
        m = marker()
        page = html_text("fr", m, 1, charset or "x").replace('<meta charset="x">', "")
        add(f"encodings/{name}.html", encode(page), "html encoding", "indexed", m, ACCENT_CHECK)
    m = marker()
    add("encodings/cp1252.txt", text_bytes("fr", m, 1).decode().encode("cp1252"), "text encoding", "indexed", m, ACCENT_CHECK)
    m = marker()
    add("encodings/utf16_bom.txt", codecs.BOM_UTF16_LE + text_bytes("fr", m, 1).decode().encode("utf-16-le"), "text encoding", "indexed", m, ACCENT_CHECK)

    # Deep nesting and size.
    for tag in ("div", "b"):
        m = marker()
        depth = 100_000
        add(f"deep/nested_100k_{tag}.html", (f"<html><body>{f'<{tag}>' * depth}<p>{SAMPLES['en'][0]} {m}</p>{f'</{tag}>' * depth}</body></html>").encode(),
            "deep nesting", "indexed", m)
    m = marker()
    add("deep/unclosed_100k_div.html", f"<html><body><p>{SAMPLES['en'][1]} {m}</p>{'<div>' * 100_000}".encode(), "deep nesting", "indexed", m)
    m = marker()
    para = (" ".join(SAMPLES["en"]) + "\n\n").encode()
    big = para * (50 * 2**20 // len(para))
    add("large/50MB.txt", f"Large file\n\n{SAMPLES['en'][0]} {m}\n\n".encode() + big, "50 MB text", "indexed", m)
    m = marker()
    add("large/50MB_one_line.txt", f"{m} ".encode() + b"word " * (10 * 2**20), "50 MB text", "indexed", m)
    add("slow/markdown_emphasis.md", b"Title\n\n" + b"*a " * 100_000 + b"\n", "pathological markdown", "either")
    m = marker()
    add("large/2500_pages.pdf", pdf_bytes(body_text("nl", m), "Veel pagina's", pages=2500), "2,500-page PDF", "indexed", m)

    # Names.
    for name in ("names/with spaces.txt", "names/accentué éèà.txt", "names/nfd accent\u0301.txt", "names/new\nline.txt",
                 "names/tab\there.md", "names/-dash-first.txt", "names/" + "long" * 60 + ".txt", "names/emoji 📄.html",
                 "names/dir with space/é/inside.txt"):
        m = marker()
        data = html_text("en", m).encode() if name.endswith(".html") else text_bytes("en", m)
        add(name, data, "awkward name", "indexed", m)
    if "undecodable-name" not in skip:
        m = marker()
        raw = os.fsencode(out / "names") + b"/latin1 caf\xe9.txt"
        with open(raw, "wb") as fh:
            fh.write(text_bytes("fr", m))
        cases.append(Case(os.fsdecode(raw)[len(str(out)) + 1:], "undecodable name", "either", m))

    # Links.
    links = out / "links"
    links.mkdir()
    os.symlink("loop_b.txt", links / "loop_a.txt")
    os.symlink("loop_a.txt", links / "loop_b.txt")
    os.symlink("self.txt", links / "self.txt")
    os.symlink("missing.txt", links / "dangling.txt")
    os.symlink("..", links / "dir_loop")
    for name in ("loop_a.txt", "loop_b.txt", "self.txt", "dangling.txt"):
        cases.append(Case(f"links/{name}", "symlink loop/dangling", "gone"))

    # Unreadable files: root reads them anyway.
    for ext in (".txt", ".pdf", ".html"):
        m = marker()
        path = add(f"unreadable/chmod000{ext}", good_document(ext[1:], "nl", m), "chmod 000", "either", m)
        path.chmod(0)

    # Not for the archive at all.
    for name in ("ignored/notes.rtf", "ignored/program.exe", "ignored/no_extension", "ignored/.hidden.txt", "ignored/backup.docx~",
                 "ignored/.archive/inside.txt"):
        add(name, b"ignored " + marker().encode(), "unsupported or hidden", "ignored")

    (out / CASES_FILE).write_text(json.dumps([asdict(c) for c in cases], ensure_ascii=False, indent=1), encoding="utf-8", errors="surrogateescape")
    return cases


def permissions_enforced(out: Path) -> bool:
    try:
        (out / "unreadable" / "chmod000.txt").read_bytes()
    except PermissionError:
        return True
    return False


# --- the run ---------------------------------------------------------------------------


def _group_rss_kb(pgid: int) -> int:
    """Resident memory of every process in a process group, summed (Linux /proc)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            with open(f"/proc/{entry.name}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    return total


def archive_command() -> str:
    """The ``archive`` script of the running interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).with_name("archive")
    return str(beside) if beside.exists() else (shutil.which("archive") or "archive")


#: ``archive ingest`` (the same click entry point), with each worker appending
#: "seconds<TAB>outcome<TAB>reason<TAB>path<NUL>" for every file it extracts to the
#: file in argv[1] (NUL-terminated: some of the file names hold newlines).
TIMED_INGEST = r"""
import os, sys, time
import archive.pipeline as pipeline
log, sys.argv = sys.argv[1], ["archive", *sys.argv[2:]]
work = pipeline._work

def timed_work(path):
    started = time.monotonic()
    result = work(path)
    reason = " ".join((result.error or "").split())
    line = f"{time.monotonic() - started:.2f}\t{'failed' if result.error else 'indexed'}\t{reason}\t{path}\0"
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, os.fsencode(line))
    finally:
        os.close(fd)
    return result

pipeline._work = timed_work  # the workers are forked after this, so they run it
from search.cli import main
main()
"""


def read_file_times(log: Path) -> list[tuple[float, str, str, str]]:
    """(seconds, outcome, reason, path) per file extracted by a worker, slowest first."""
    rows = []
    if log.exists():
        for line in log.read_bytes().decode("utf-8", "surrogateescape").split("\0"):
            parts = line.split("\t", 3)
            if len(parts) == 4:
                rows.append((float(parts[0]), parts[1], parts[2], parts[3]))
        log.unlink()
    return sorted(rows, reverse=True)


def run_ingest(args: list[str], wall: float) -> dict:
    """``archive ingest`` in its own process group; kills the group at ``wall`` seconds."""
    timing = Path(os.environ.get("TMPDIR", "/tmp")) / f"hostile-time-{os.getpid()}.txt"
    file_times = timing.with_name(f"hostile-file-times-{os.getpid()}.tsv")
    file_times.unlink(missing_ok=True)
    command = ["/usr/bin/time", "-v", "-o", str(timing)] if Path("/usr/bin/time").exists() else []
    command += [sys.executable, "-c", TIMED_INGEST, str(file_times), "ingest", *args]
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    peak = {"kb": 0}
    done = threading.Event()

    def sample():
        while not done.wait(0.25):
            peak["kb"] = max(peak["kb"], _group_rss_kb(proc.pid))

    threading.Thread(target=sample, daemon=True).start()
    hung = False
    try:
        out, err = proc.communicate(timeout=wall)
    except subprocess.TimeoutExpired:
        hung = True
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
    done.set()
    maxrss = 0
    if timing.exists():
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read_text(errors="replace"))
        maxrss = int(found.group(1)) if found else 0
        timing.unlink()
    return {"rc": proc.returncode, "out": out.decode("utf-8", "surrogateescape"), "err": err.decode("utf-8", "surrogateescape"),
            "seconds": time.monotonic() - started, "hung": hung, "max_rss_mb": maxrss / 1024, "group_rss_mb": peak["kb"] / 1024,
            "file_times": read_file_times(file_times)}


def reason_group(reason: str) -> str:
    """Reasons with their variable parts (numbers, quoted bits, pdfminer details) folded."""
    head = reason.split(" (", 1)[0] if reason.startswith(("corrupted", "unexpected")) else reason
    head = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", head)
    head = re.sub(r"\d+(\.\d+)?", "N", head)
    head = re.sub(r"(construct|found|filter): .*", r"\1: …", head)
    return head[:90]


def indexed_paths(index_dir: Path) -> Counter:
    """Paths of every indexed document (one count per document, not per passage)."""
    from indexer import engines, store
    from indexer.whoosh import index as whoosh_index

    ix = whoosh_index.open_index(index_dir)
    with ix.searcher() as searcher:
        docs = {(f["doc_id"], f["path"]) for f in searcher.all_stored_fields()}
    return Counter(path for _, path in docs)


def check(out: Path, index_dir: Path, cases: list[Case], result: dict, max_rss_mb: float) -> list[str]:
    from indexer.whoosh.engine import WhooshEngine
    from indexer.contract import SearchRequest

    problems: list[str] = []
    if result["hung"]:
        problems.append(f"the ingest did not finish within {result['seconds']:.0f} s (killed)")
    summary = re.search(r"(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) removed, (\d+) failed", result["out"])
    if not summary:
        problems.append(f"no summary line; exit {result['rc']}; stderr ends: {result['err'][-500:]!r}")
        return problems
    if result["rc"] != 1:
        problems.append(f"exit status {result['rc']}, expected 1 (some files fail)")
    failed: dict[str, str] = {}
    for case in cases:
        path = os.path.abspath(out / case.name)
        # A name that is not UTF-8 can only be printed with replacement characters.
        printable = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        found = re.search("(?:" + "|".join(re.escape(f"failed: {p}: ") for p in {path, printable}) + r")(.*)", result["err"])
        if found:
            failed[case.name] = found.group(1)
    indexed = indexed_paths(index_dir)
    engine = WhooshEngine(index_dir)
    outcome: dict[str, str] = {}
    for case in cases:
        path = os.path.abspath(out / case.name)
        is_indexed, is_failed = indexed.get(path, 0), case.name in failed
        outcome[case.name] = "indexed" if is_indexed else "failed" if is_failed else "absent"
        where = f"{case.name!r} ({case.category})"
        if is_indexed and is_failed:
            problems.append(f"{where}: both indexed and reported failed")
        if is_indexed > 1:
            problems.append(f"{where}: indexed {is_indexed} times")
        if case.expect == "ignored" and outcome[case.name] != "absent":
            problems.append(f"{where}: should be skipped, was {outcome[case.name]}")
        elif case.expect in ("indexed", "failed", "either") and outcome[case.name] == "absent":
            problems.append(f"{where}: silently missing (neither indexed nor reported)")
        elif case.expect == "failed" and is_indexed:
            problems.append(f"{where}: should fail, was indexed")
        elif case.expect == "indexed" and not is_indexed:
            problems.append(f"{where}: should be indexed, failed: {failed.get(case.name)}")
        if is_failed and failed[case.name].startswith("unexpected error"):
            problems.append(f"{where}: an extractor bug, not a reason: {failed[case.name]}")
        if case.marker and is_indexed:
            hits = engine.search(SearchRequest(case.marker, include_internal=True, per_page=10)).hits
            if [h.path for h in hits] != [path]:
                problems.append(f"{where}: marker {case.marker} finds {[h.path for h in hits]}")
            elif case.check and case.check not in getattr(engine.document(hits[0].id, include_internal=True), "text", ""):
                problems.append(f"{where}: {case.check!r} not in the indexed text (mojibake?)")
    engine.close()
    from archive.pipeline import find_files

    seen = {os.path.relpath(p, out) for p in find_files([out])}
    listed = {c.name for c in cases if c.expect != "ignored"}
    if seen != listed:
        problems.append(f"the ingest sees other files than the catalogue: extra {sorted(seen - listed)[:5]}, missing {sorted(listed - seen)[:5]}")
    if int(summary.group(5)) != len(failed):
        problems.append(f"summary says {summary.group(5)} failed, {len(failed)} failure lines matched files")
    if max_rss_mb and max(result["max_rss_mb"], 0) > max_rss_mb:
        problems.append(f"peak memory of one process {result['max_rss_mb']:.0f} MB > {max_rss_mb:.0f} MB")
    _print_report(cases, outcome, failed, result)
    return problems


def _print_report(cases, outcome, failed, result) -> None:
    by_category: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        by_category[case.category][outcome[case.name]] += 1
    print(f"\n{'category':<28} {'files':>5} {'indexed':>8} {'failed':>7} {'absent':>7}")
    for category, counts in by_category.items():
        print(f"{category:<28} {sum(counts.values()):>5} {counts['indexed']:>8} {counts['failed']:>7} {counts['absent']:>7}")
    reasons = Counter(reason_group(r) for r in failed.values())
    print(f"\n{'count':>5}  reason (grouped)")
    for reason, count in reasons.most_common():
        print(f"{count:>5}  {reason}")
    counts = Counter(outcome[c.name] for c in cases if c.expect != "ignored")
    ignored = sum(c.expect == "ignored" for c in cases)
    gone = sum(1 for c in cases if c.expect == "gone" and outcome[c.name] == "absent")
    print(f"\nfiles: {len(cases)} written, {ignored} meant to be skipped (unsupported or hidden), {len(cases) - ignored} seen by the ingest; "
          f"{counts['indexed']} indexed + {counts['failed']} reported = {counts['indexed'] + counts['failed']}; "
          f"{counts['absent']} neither ({gone} of them symlink loops/dangling links, allowed)")
    print(f"ingest: exit {result['rc']}, {result['seconds']:.1f} s wall, peak RSS of one process {result['max_rss_mb']:.0f} MB, "
          f"peak RSS of the process group {result['group_rss_mb']:.0f} MB")
    print("summary line: " + next((line for line in result["out"].splitlines() if " added, " in line), "(none)"))
    times = result["file_times"]
    if times:
        print(f"\nper-file extraction time in the workers ({len(times)} files timed, {sum(t for t, *_ in times):.0f} s in all); slowest:")
        for seconds, outcome, reason, path in times[:8]:
            print(f"{seconds:8.1f} s  {outcome:<7}  {path}" + (f"  ({reason[:70]})" if reason else ""))
    limit_hits = [r for r in failed.values() if "time limit per file" in r]
    print(f"per-file time limit fired: {len(limit_hits)} times")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="Folder to write the files into (emptied first).")
    parser.add_argument("--run", action="store_true", help="Ingest them and check the outcome.")
    parser.add_argument("--index", type=Path, help="Index folder for --run (default: OUT-index, emptied first).")
    parser.add_argument("--jobs", type=int, default=2)
    # A hang detector, not a speed target: three files run into the per-file time limit
    # (300 s each), which takes 5-10 minutes of the run by itself, and the whole ingest
    # took 18-21 minutes on a shared, loaded 2-core machine (docs/RELIABILITY.md).
    parser.add_argument("--wall", type=float, default=3600, help="Seconds the ingest may take before it counts as hung.")
    parser.add_argument("--max-rss-mb", type=float, default=4096, help="Ceiling on the peak memory of any one process.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse", action="store_true", help="Use the files already in OUT (written by an earlier call) instead of writing them again.")
    parser.add_argument("--skip", action="append", default=[], choices=["bomb", "undecodable-name"],
                        help="Leave out a category (bombs are slow to write; see docs/RELIABILITY.md for undecodable names).")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.reuse and (args.out / CASES_FILE).exists():
        cases = [Case(**c) for c in json.loads((args.out / CASES_FILE).read_text(encoding="utf-8", errors="surrogateescape"))]
        for case in [c for c in cases if SKIPPABLE.get(c.category) in args.skip]:
            (args.out / case.name).unlink(missing_ok=True)
            cases.remove(case)
    else:
        cases = generate(args.out, args.seed, set(args.skip))
    size = sum(p.lstat().st_size for p in args.out.rglob("*"))
    print(f"wrote {len(cases)} files ({size / 2**20:.0f} MB) into {args.out} in {time.monotonic() - started:.1f} s; "
          f"{sum(c.expect == 'indexed' for c in cases)} should be indexed ({sum(c.category == 'good' for c in cases)} plain good documents)")
    if not permissions_enforced(args.out):
        print("note: running as root (or with CAP_DAC_OVERRIDE): chmod 000 files are readable, so they are indexed, not refused")
    if not args.run:
        return 0
    index_dir = args.index or args.out.with_name(args.out.name + "-index")
    shutil.rmtree(index_dir, ignore_errors=True)
    result = run_ingest([str(args.out), "--index", str(index_dir), "--jobs", str(args.jobs)], args.wall)
    problems = check(args.out, index_dir, cases, result, args.max_rss_mb)
    print(f"\n{len(problems)} problems")
    for problem in problems:
        print("  - " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
