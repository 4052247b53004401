"""Word (.docx) files: body paragraphs and tables in order, title and date from the core properties."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import ExtractionError
from ..model import Document, Passage
from ..options import ExtractOptions
from ..textutil import chunk_paragraphs, clean


def extract(path: Path, data: bytes, options: ExtractOptions) -> list[Document]:
    import docx  # python-docx; imported here so other formats never pay for it
    from docx.opc.exceptions import PackageNotFoundError

    if not data:
        raise ExtractionError("empty file")
    if not data.startswith(b"PK"):
        raise ExtractionError("not a .docx file: it is not a ZIP package")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"corrupted .docx: {exc}") from exc
    except Exception as exc:  # lxml and zipfile raise many kinds on damaged packages
        raise ExtractionError(f"corrupted .docx: {type(exc).__name__}: {exc}") from exc

    paras: list[str] = []
    heading = ""
    for block in _blocks(document):
        text = clean(block[0])
        if not text:
            continue
        paras.append(text)
        if not heading and block[1]:
            heading = text
    if not paras:
        raise ExtractionError("no text found")

    props = document.core_properties
    title = (props.title or "").strip() or heading or (paras[0] if len(paras[0]) <= 200 else "")
    doc = Document(
        path=str(path),
        format="docx",
        passages=[Passage(chunk) for chunk in chunk_paragraphs(paras)],
        title=title,
    )
    for name, value in (("docx_created", props.created), ("docx_modified", props.modified)):
        if value:
            doc.hints[name] = value.date().isoformat()
    if props.author:
        doc.hints["author"] = props.author
    if props.language:
        doc.hints["doc_lang"] = props.language
    return [doc]


def _blocks(document) -> list[tuple[str, bool]]:
    """(text, is_heading) for paragraphs and table rows, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[tuple[str, bool]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            style = (item.style.name if item.style is not None else "") or ""
            out.append((item.text, style.startswith(("Heading", "Title"))))
        elif isinstance(item, Table):
            for row in item.rows:
                cells = []
                for cell in row.cells:
                    if cell.text.strip() and cell.text not in cells:  # merged cells repeat
                        cells.append(cell.text)
                out.append((" | ".join(cells), False))
    return out
