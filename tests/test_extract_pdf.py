"""The PDF extractor, on PDFs the tests write themselves (reportlab, or by hand)."""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
from reportlab.lib.pdfencrypt import StandardEncryption  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from archive.errors import ExtractionError  # noqa: E402
from archive.extractors import extractor_for, pdf_guard, pdf_ocr  # noqa: E402
from archive.extractors.pdf import extract  # noqa: E402
from archive.extractors.pdf_meta import decode_pdf_string, meaningful_title, parse_pdf_date  # noqa: E402
from archive.extractors.pdf_text import clean_line, join_lines, repair_ligatures  # noqa: E402
from archive.options import ExtractOptions  # noqa: E402

NO_OCR = ExtractOptions(ocr="never")


def make_pdf(draw, pages: int = 1, **canvas_args) -> bytes:
    """A PDF whose page ``n`` (1-based) is drawn by ``draw(canvas, n)``."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, **canvas_args)
    for n in range(1, pages + 1):
        draw(c, n)
        c.showPage()
    c.save()
    return buf.getvalue()


def lines_at(c, x: float, y: float, lines: list[str], leading: float = 14, font: str = "Helvetica", size: int = 11):
    c.setFont(font, size)
    for i, text in enumerate(lines):
        c.drawString(x, y - i * leading, text)


def read(data: bytes, options: ExtractOptions = NO_OCR, name: str = "test.pdf"):
    docs = extract(Path(name), data, options)
    assert len(docs) == 1
    return docs[0]


def build_pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given object bodies (object 1 is the catalog), with a
    correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(content: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(content), entries) + content + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def hand_made_pdf(content: bytes, entries: bytes = b"") -> bytes:
    """A one-page PDF around a raw content stream."""
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        stream(content, entries),
        FONT,
    ])


# --- pages and text -----------------------------------------------------------


def test_one_passage_per_page_with_its_number():
    data = make_pdf(lambda c, n: lines_at(c, 72, 720, [f"This is page number {n} of the report."]), pages=3)
    doc = read(data)
    assert doc.format == "pdf"
    assert [p.page for p in doc.passages] == [1, 2, 3]
    assert [p.text for p in doc.passages] == [f"This is page number {n} of the report." for n in (1, 2, 3)]
    assert doc.hints["pages"] == 3


def test_empty_pages_are_skipped_but_keep_the_numbering():
    data = make_pdf(lambda c, n: lines_at(c, 72, 720, ["Only the third page has text."]) if n == 3 else None, pages=3)
    doc = read(data)
    assert [(p.page, p.text) for p in doc.passages] == [(3, "Only the third page has text.")]
    assert doc.hints["pages"] == 3


def test_registry_routes_pdf_files_here():
    data = make_pdf(lambda c, n: lines_at(c, 72, 720, ["Routed through the registry."]))
    docs = extractor_for(Path("x.PDF"))(Path("x.PDF"), data, NO_OCR)
    assert docs[0].passages[0].text == "Routed through the registry."


LEFT = [f"alpha{i} left column sentence number {i} goes here" for i in range(12)]
RIGHT = [f"omega{i} right column sentence number {i} goes on" for i in range(12)]


def two_columns(c, n):
    # Drawn row by row, left then right, so the content stream itself
    # interleaves the columns: only the layout can tell them apart.
    c.setFont("Helvetica", 10)
    for i, (left, right) in enumerate(zip(LEFT, RIGHT)):
        y = 720 - i * 13 - (20 if i >= 6 else 0)  # two aligned paragraphs per column
        c.drawString(60, y, left)
        c.drawString(320, y, right)


def test_two_columns_are_read_left_column_first():
    text = read(make_pdf(two_columns)).passages[0].text
    words = re.findall(r"(alpha|omega)(\d+)", text)
    assert [f"{a}{n}" for a, n in words] == [f"alpha{i}" for i in range(12)] + [f"omega{i}" for i in range(12)]


def test_full_width_title_comes_before_the_columns():
    def page(c, n):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(60, 760, "A title that runs across both of the columns below it")
        two_columns(c, n)

    text = read(make_pdf(page)).passages[0].text
    assert text.startswith("A title that runs across both of the columns below it\n\n")
    assert text.index("alpha11") < text.index("omega0")


def test_heading_close_to_the_gutter_does_not_glue_the_columns():
    # A bold heading of the right column is drawn right after a line of the
    # left column, on the same baseline, 9 points away: pdfminer makes them
    # one line (its char_margin allows twice the heading's glyph width).
    left = [f"left{i} text of the first column" for i in range(8)]
    right = [f"right{i} text of column two" for i in range(8)]
    gutter_x = 60 + max(pdfmetrics.stringWidth(t, "Helvetica", 10) for t in left) + 9

    def page(c, n):
        for i in range(8):
            y = 700 - i * 13
            c.setFont("Helvetica", 10)
            c.drawString(60, y, left[i])
            if i == 3:
                c.setFont("Helvetica-Bold", 14)
                c.drawString(gutter_x, y, "Heading")
            else:
                c.drawString(gutter_x, y, right[i])

    text = read(make_pdf(page)).passages[0].text
    order = re.findall(r"left\d|right\d|Heading", text)
    assert order == [f"left{i}" for i in range(8)] + ["right0", "right1", "right2", "Heading", "right4", "right5", "right6", "right7"]


def test_hyphenation_and_line_breaks_are_repaired():
    paragraph = [
        "The regulation on data protec-",
        "tion applies to the work of peer-",
        "experts in the Make-IT-",
        "Safe project and in Noord-",
        "Brabant as well.",
    ]
    text = read(make_pdf(lambda c, n: lines_at(c, 72, 720, paragraph))).passages[0].text
    assert text == (
        "The regulation on data protection applies to the work of peer-experts "
        "in the Make-IT-Safe project and in Noord-Brabant as well."
    )


def test_paragraphs_are_separated_by_a_blank_line():
    def page(c, n):
        lines_at(c, 72, 720, ["First paragraph, first line of it", "and its second line."])
        lines_at(c, 72, 660, ["Second paragraph, a line of its own."])

    text = read(make_pdf(page)).passages[0].text
    assert text == "First paragraph, first line of it and its second line.\n\nSecond paragraph, a line of its own."


def test_ligature_glyphs_become_letters():
    font = Path(pdfmetrics.__file__).resolve().parents[1] / "fonts" / "Vera.ttf"
    pdfmetrics.registerFont(TTFont("VeraLig", str(font)))
    data = make_pdf(lambda c, n: lines_at(c, 72, 720, ["The \ufb01nal \ufb02ow of \ufb01les"], font="VeraLig"))  # Vera has only these two
    assert read(data).passages[0].text == "The final flow of files"


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("\ufb01nal \ufb02ow o\ufb03ce \ufb04e e\ufb00ect \ufb06op", "final flow office ffle effect stop"),
        ("tab\there  and\u00a0nbsp", "tab here and nbsp"),
        ("bell\x07 zero\u200bwidth bom\ufeff private\ue000use", "bell zerowidth bom privateuse"),
        ("glyph (cid:42)lost", "glyph lost"),
        ("x\u00b2 \u00bd \uff21", "x\u00b2 \u00bd \uff21"),  # only ligatures are NFKC-folded
    ],
)
def test_clean_line(raw, clean):
    assert clean_line(raw) == clean


def test_repair_ligatures_leaves_other_compatibility_characters():
    assert repair_ligatures("\ufb01 \u00b2 \u2460") == "fi \u00b2 \u2460"


@pytest.mark.parametrize(
    "lines, joined",
    [
        (["protec-", "tion"], "protection"),
        (["organisa-", "ties"], "organisaties"),
        (["perfor-", "mance"], "performance"),
        (["peer-", "experts"], "peer-experts"),
        (["long-", "term"], "long-term"),
        (["peut-", "être"], "peut-être"),
        (["Make-IT-", "Safe"], "Make-IT-Safe"),
        (["COVID-", "related"], "COVID-related"),
        (["Noord-", "Brabant"], "Noord-Brabant"),
        (["pages 12-", "13"], "pages 12-13"),
        (["a dash -", "then"], "a dash - then"),
        (["soft\u00ad", "hyphen"], "softhyphen"),
        (["one line", "", "another"], "one line another"),
    ],
)
def test_join_lines(lines, joined):
    assert join_lines(lines) == joined


# --- metadata -------------------------------------------------------------------


def test_title_author_and_dates_from_the_info_dictionary():
    def page(c, n):
        c.setTitle("Rapport d'activité 2019 — Bruxelles")
        c.setAuthor("Jeanne Dupont")
        lines_at(c, 72, 720, ["Body text."])

    data = make_pdf(page)
    # reportlab's invariant mode writes 2000-01-01; put a real date in its
    # place (same length, so the xref offsets stay right).
    data = data.replace(b"(D:20000101000000+00'00')", b"(D:20191231233000-05'00')", 1)
    doc = read(data)
    assert doc.title == "Rapport d'activité 2019 — Bruxelles"
    assert doc.hints["author"] == "Jeanne Dupont"
    assert doc.hints["pdf_created"] == "2019-12-31"
    assert doc.hints["pdf_modified"] == "2000-01-01"
    assert doc.date is None  # the metadata step decides


@pytest.mark.parametrize("junk", ["Microsoft Word - rapport.docx", "untitled", "r1687.pdf", "cover.tif", "Document1", "  "])
def test_junk_titles_are_ignored(junk):
    data = make_pdf(lambda c, n: (c.setTitle(junk), lines_at(c, 72, 720, ["Body text."])))
    assert read(data).title == ""


@pytest.mark.parametrize(
    "raw, text",
    [
        (b"\xfe\xff\x00C\x00a\x00f\x00\xe9", "Café"),  # UTF-16BE with BOM
        (b"Caf\xe9 \x8dquoted\x8e", "Café “quoted”"),  # PDFDocEncoding
        (b"\x93nal \x94ow", "final flow"),  # PDFDocEncoding's own ligatures
        (b"\xef\xbb\xbfCaf\xc3\xa9", "Café"),  # PDF 2.0 UTF-8
        (b"Report\x00\x00", "Report"),
        (b"Two  spaces", "Two spaces"),
        (42, ""),
    ],
)
def test_decode_pdf_string(raw, text):
    assert decode_pdf_string(raw) == text


@pytest.mark.parametrize(
    "raw, iso",
    [
        (b"D:20191231120000+01'00'", "2019-12-31"),
        (b"D:20191231", "2019-12-31"),
        (b"D:2019", "2019-01-01"),
        (b"D:20230621093027Z", "2023-06-21"),
        (b"D:19990723112309\x00", "1999-07-23"),
        (b"2021-06-09T13:33:17", "2021-06-09"),
        (b"D:00000101000000Z", None),
        (b"D:20191341", None),
        (b"yesterday", None),
    ],
)
def test_parse_pdf_date(raw, iso):
    date = parse_pdf_date(raw)
    assert (date.isoformat() if date else None) == iso


def test_meaningful_title_keeps_real_titles():
    assert meaningful_title("2007 Instruction 1040-NR") == "2007 Instruction 1040-NR"
    assert meaningful_title("Word - draft.doc") == ""


# --- encryption -------------------------------------------------------------------


@pytest.fixture(scope="module")
def encrypted() -> bytes:
    return make_pdf(
        lambda c, n: lines_at(c, 72, 720, ["Secret minutes of the board."]),
        encrypt=StandardEncryption("s3cret", ownerPassword="owner-only"),
    )


def test_encrypted_without_password(encrypted):
    with pytest.raises(ExtractionError, match=r"^encrypted: a password is needed \(use --password\)$"):
        read(encrypted)


def test_encrypted_with_wrong_password(encrypted):
    with pytest.raises(ExtractionError, match=r"^encrypted: wrong password$"):
        read(encrypted, ExtractOptions(password="guess", ocr="never"))


def test_encrypted_with_password(encrypted):
    doc = read(encrypted, ExtractOptions(password="s3cret", ocr="never"))
    assert doc.passages[0].text == "Secret minutes of the board."


# --- files that are not (whole) PDFs ------------------------------------------------


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file (0 bytes)"),
        (b"just some text that was named .pdf\n" * 3, "not a PDF (no %PDF header)"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not a PDF: the file is a PNG image"),
        (b"PK\x03\x04" + bytes(100), "not a PDF: the file is a ZIP archive (an Office document?)"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "not a PDF: the file is HTML or XML"),
        (bytes(range(256)) * 8, "not a PDF (no %PDF header)"),
    ],
)
def test_not_a_pdf(data, reason):
    with pytest.raises(ExtractionError) as caught:
        read(data)
    assert caught.value.reason == reason


def test_pdf_header_with_garbage_is_corrupted():
    junk = random.Random(1).randbytes(5000)
    with pytest.raises(ExtractionError, match=r"^corrupted PDF: "):
        read(b"%PDF-1.4\n" + junk)


def three_pages() -> bytes:
    return make_pdf(lambda c, n: lines_at(c, 72, 720, [f"Page {n} survives the cut."]), pages=3)


def test_truncated_pdf_keeps_the_pages_before_the_cut():
    data = three_pages()
    cut = data[: data.index(b"xref")]  # trailer, xref table and the end lost
    doc = read(cut)
    assert [p.text for p in doc.passages] == [f"Page {n} survives the cut." for n in (1, 2, 3)]
    assert "truncated" in doc.hints["repaired"]


def test_pdf_cut_before_its_content_is_a_clear_error():
    data = three_pages()
    with pytest.raises(ExtractionError, match=r"^corrupted PDF: "):
        read(data[: len(data) // 4])


def test_wrong_xref_offset_is_recovered():
    data = three_pages()
    start = data.rindex(b"startxref")
    broken = data[:start] + b"startxref\n99\n%%EOF\n"
    assert len(read(broken).passages) == 3


def test_a_page_that_fails_does_not_cost_the_others():
    # Page 1 draws a form whose stream uses a filter pdfminer cannot decode;
    # the failure happens inside the form, which pdfminer left half-open.
    resources = b"<< /Font << /F1 7 0 R >> /XObject << /X1 6 0 R >> >>"
    data = build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources " + resources + b" >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 8 0 R /Resources " + resources + b" >>",
        stream(b"q /X1 Do Q"),
        stream(b"junk", b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Filter /NoSuchFilter"),
        FONT,
        stream(b"BT /F1 12 Tf 72 720 Td (The second page is fine.) Tj ET"),
    ])
    doc = read(data)
    assert [(p.page, p.text) for p in doc.passages] == [(2, "The second page is fine.")]
    assert doc.hints["page_errors"] == ["page 1: Unsupported filter: /'NoSuchFilter'"]


def test_damaged_bytes_never_escape_as_other_exceptions():
    data = make_pdf(lambda c, n: lines_at(c, 72, 720, [f"Page {n} of a file about to be damaged."]), pages=2, pageCompression=1)
    rng = random.Random(7)
    outcomes = set()
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            at = rng.randrange(16, len(damaged))
            damaged[at] = rng.randrange(256)
        try:
            read(bytes(damaged))
            outcomes.add("ok")
        except ExtractionError as exc:
            assert "\n" not in exc.reason and len(exc.reason) < 200
            outcomes.add("error")
    assert outcomes == {"ok", "error"}  # the damage did hit something


# --- bounds ---------------------------------------------------------------------------


def test_max_pages_stops_reading_and_says_so():
    data = make_pdf(lambda c, n: lines_at(c, 72, 720, [f"Text of page {n}."]), pages=5)
    doc = read(data, ExtractOptions(max_pages=2, ocr="never"))
    assert [p.page for p in doc.passages] == [1, 2]
    assert doc.hints["truncated"] is True
    assert doc.hints["pages"] == 5
    assert "truncated" not in read(data).hints
    assert len(read(data, ExtractOptions(max_pages=0, ocr="never")).passages) == 5  # 0: no limit


def test_max_text_chars_stops_after_the_page_that_reaches_it():
    data = make_pdf(lambda c, n: lines_at(c, 72, 720, [f"Text of page {n}."]), pages=5)
    doc = read(data, ExtractOptions(max_text_chars=30, ocr="never"))
    assert [p.page for p in doc.passages] == [1, 2]
    assert doc.hints["truncated"] is True


def padded_stream() -> bytes:
    # 3 MB of blank lines around one word: compresses to a few kilobytes.
    return b"BT /F1 12 Tf 72 720 Td (Inflated) Tj ET\n" + b"\n" * 3_000_000


def test_flate_stream_within_the_budget_is_read():
    data = hand_made_pdf(zlib.compress(padded_stream(), 9), b"/Filter /FlateDecode")
    assert len(data) < 20_000
    assert read(data).passages[0].text == "Inflated"


def test_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(pdf_guard, "MAX_INFLATED_BYTES", 1_000_000)
    data = hand_made_pdf(zlib.compress(padded_stream(), 9), b"/Filter /FlateDecode")
    with pytest.raises(ExtractionError, match=r"^decompression bomb\? streams expand beyond"):
        read(data)


def test_guard_leaves_pdfminer_alone_outside_extraction():
    from pdfminer import pdftypes

    big = zlib.compress(bytes(2_000_000))
    assert len(pdftypes.zlib.decompress(big)) == 2_000_000
    with pdf_guard.inflate_budget(1_000_000), pytest.raises(pdf_guard.InflateLimitExceeded):
        pdftypes.zlib.decompress(big)


def test_guard_keeps_zlib_semantics_for_truncated_streams():
    from pdfminer import pdftypes

    packed = zlib.compress(b"some text " * 100)
    with pdf_guard.inflate_budget(), pytest.raises(zlib.error):
        pdftypes.zlib.decompress(packed[:-10])
    # ...and pdfminer's salvage path still gets the text back.
    assert pdftypes.decompress_corrupted(packed[:-2]).startswith(b"some text some text")


@pytest.mark.parametrize("seed", range(5))
def test_bounded_decoders_match_pdfminer(seed):
    from pdfminer.lzw import lzwdecode
    from pdfminer.runlength import rldecode

    rng = random.Random(seed)
    encoded = bytearray()
    for _ in range(50):
        if rng.random() < 0.5:
            chunk = rng.randbytes(rng.randint(1, 128))
            encoded += bytes([len(chunk) - 1]) + chunk
        else:
            encoded += bytes([rng.randint(129, 255), rng.randrange(256)])
    encoded += b"\x80"
    with pdf_guard.inflate_budget():
        assert pdf_guard._run_length_decode(bytes(encoded)) == rldecode(bytes(encoded))
        # LZW codes 256 (clear) then literal bytes, 9 bits each, then 257 (end).
        codes = [256] + list(rng.randbytes(40)) + [257]
        bits = "".join(f"{c:09b}" for c in codes)
        bits += "0" * (-len(bits) % 8)
        packed = int(bits, 2).to_bytes(len(bits) // 8, "big")
        assert pdf_guard._lzw_decode(packed) == lzwdecode(packed)


# --- scanned pages and OCR -------------------------------------------------------------


def image_page_pdf(png: bytes, text_pages: int = 0) -> bytes:
    from reportlab.lib.utils import ImageReader

    def draw(c, n):
        if n == 1:
            c.drawImage(ImageReader(io.BytesIO(png)), 0, 0, width=595, height=842)
        else:
            lines_at(c, 72, 720, [f"Typed page {n}."])

    return make_pdf(draw, pages=1 + text_pages)


def blank_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (200, 280), 255).save(buf, "PNG")
    return buf.getvalue()


def test_scanned_pdf_without_ocr_says_why():
    with pytest.raises(ExtractionError, match=r"^no text layer \(scanned\?\): OCR is turned off$"):
        read(image_page_pdf(blank_png()))


def test_scanned_pdf_without_tesseract_says_what_to_install(monkeypatch):
    monkeypatch.setattr(pdf_ocr.shutil, "which", lambda tool: None)
    with pytest.raises(ExtractionError, match=r"install tesseract to read it by OCR"):
        read(image_page_pdf(blank_png()), ExtractOptions())


def test_image_page_among_text_pages_is_skipped_without_ocr():
    doc = read(image_page_pdf(blank_png(), text_pages=2))
    assert [p.page for p in doc.passages] == [2, 3]


needs_ocr = pytest.mark.skipif(
    not (shutil.which("tesseract") and shutil.which("pdftoppm")), reason="tesseract and pdftoppm are not installed"
)


@needs_ocr
def test_scanned_page_is_read_by_ocr(tmp_path):
    words = ["Commission", "enquête", "parlementaire"]
    typed = make_pdf(lambda c, n: lines_at(c, 60, 700, [" ".join(words), "sur les sectes en Belgique"], leading=40, size=28))
    (tmp_path / "typed.pdf").write_bytes(typed)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "typed.pdf"), str(tmp_path / "scan")], check=True)
    scanned = image_page_pdf((tmp_path / "scan.png").read_bytes(), text_pages=1)
    doc = read(scanned, ExtractOptions(ocr_languages="fra+eng"))
    assert [p.page for p in doc.passages] == [1, 2]
    assert all(w in doc.passages[0].text for w in words)
    assert doc.hints["ocr_pages"] == [1]
