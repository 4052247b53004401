"""A scanned page in two languages (a French column beside a Dutch one, as in the Belgian
official journal) is read by OCR into a passage per language, each stemmed and found as such."""

from __future__ import annotations

import io
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from archive.options import ExtractOptions
from archive.pipeline import extract_file

canvas = pytest.importorskip("reportlab.pdfgen.canvas")
pytestmark = pytest.mark.skipif(not (shutil.which("tesseract") and shutil.which("pdftoppm")),
                                reason="tesseract and pdftoppm are not installed")

NL = ("Het Centrum bestaat uit twaalf vaste leden en twaalf plaatsvervangende leden die door de Kamer van "
      "volksvertegenwoordigers worden aangewezen. De leden worden aangesteld voor een termijn van vier jaar, "
      "eenmaal hernieuwbaar, uit de persoonlijkheden die bekend staan om hun kennis van de schadelijke "
      "sektarische organisaties en van de minderjarige slachtoffers.")
FR = ("Le Centre est composé de douze membres effectifs et de douze membres suppléants désignés par la Chambre "
      "des représentants. Les membres sont nommés pour un terme de quatre ans, renouvelable une fois, parmi les "
      "personnalités connues pour leur connaissance des organisations sectaires nuisibles et des victimes mineures.")


def _pdf(draw) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def _columns(c) -> None:
    for x, text in ((40, NL), (310, FR)):
        c.setFont("Helvetica", 11)
        for i, line in enumerate(textwrap.wrap(text, 42)):
            c.drawString(x, 780 - i * 16, line)


def _scanned(tmp_path: Path) -> Path:
    """The two columns typed, printed to a picture at 200 dpi, and the picture as the only page."""
    from reportlab.lib.utils import ImageReader

    (tmp_path / "typed.pdf").write_bytes(_pdf(_columns))
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(tmp_path / "typed.pdf"), str(tmp_path / "scan")],
                   check=True)
    png = (tmp_path / "scan.png").read_bytes()
    scanned = tmp_path / "files" / "staatsblad-scan.pdf"
    scanned.parent.mkdir()
    scanned.write_bytes(_pdf(lambda c: c.drawImage(ImageReader(io.BytesIO(png)), 0, 0, width=595, height=842)))
    return scanned


def test_a_scanned_bilingual_page_becomes_a_passage_per_language(tmp_path):
    path = _scanned(tmp_path)
    (doc,) = extract_file(path, ExtractOptions())
    assert doc.hints["ocr_pages"] == [1]
    by_lang = {p.lang: p for p in doc.passages}
    assert set(by_lang) == {"nl", "fr"} and all(p.page == 1 for p in doc.passages)
    assert "membres" in by_lang["fr"].text and "membres" not in by_lang["nl"].text
    assert "leden" in by_lang["nl"].text and "leden" not in by_lang["fr"].text

    from indexer.contract import SearchRequest
    from indexer.sync import SyncOptions, sync
    from indexer.whoosh.engine import WhooshEngine

    index = tmp_path / "index"
    assert not sync([path.parent], index, SyncOptions(jobs=1)).failed
    engine = WhooshEngine(index)
    try:
        # "victime mineure" finds "victimes mineures" only through French stemming.
        hit = engine.search(SearchRequest("victime mineure", langs=("fr",))).hits[0]
        assert hit.passage_lang == "fr" and hit.page == 1
    finally:
        engine.close()
