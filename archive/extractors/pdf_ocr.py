"""OCR for pages without a text layer: pdftoppm renders, tesseract reads.

Both are external programs (poppler-utils and tesseract-ocr with the fra/nld
language packs), found on PATH when needed. A page takes about 9 s at 300 dpi
with three languages on one core, so OCR runs only for pages that have no text.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ExtractionError
from ..options import ExtractOptions

#: Rendering resolution; tesseract is trained on text of about this resolution.
DPI = 300
#: Seconds one page may take to render or to read before it is given up.
PAGE_TIMEOUT = 180


def unavailable_reason(options: ExtractOptions) -> str | None:
    """Why OCR cannot run (a hint a person can act on), or None if it can."""
    if options.ocr == "never":
        return "OCR is turned off"
    if not shutil.which("tesseract"):
        # pdftoppm is asked for once tesseract is there: one step at a time.
        return "install tesseract to read it by OCR"
    if not shutil.which("pdftoppm"):
        return "install poppler-utils (pdftoppm) to read it by OCR"
    if not _languages(options.ocr_languages):
        return f"install tesseract language data for {options.ocr_languages} to read it by OCR"
    return None


@functools.cache
def _installed_languages() -> frozenset[str]:
    try:
        run = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # The first line is a header ("List of available languages in ...").
    return frozenset(line.strip() for line in run.stdout.splitlines()[1:] if line.strip())


def _languages(wanted: str) -> str:
    """The requested languages that are installed, in tesseract's "a+b" form."""
    installed = _installed_languages()
    return "+".join(lang for lang in wanted.split("+") if lang in installed)


def _run(args: list[str], what: str, page: int) -> subprocess.CompletedProcess[bytes]:
    # One thread per tesseract: the pipeline runs files in parallel, and on
    # two cores the threaded build was slower than a single thread.
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(args, capture_output=True, timeout=PAGE_TIMEOUT, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise ExtractionError(f"OCR: {what} took over {PAGE_TIMEOUT} s on page {page}") from None
    except OSError as exc:
        raise ExtractionError(f"OCR: cannot run {args[0]} ({exc.strerror})") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractionError(f"OCR: {what} failed on page {page}" + (f" ({detail[-1][:100]})" if detail else ""))
    return done


def ocr_pages(data: bytes, pages: list[int], options: ExtractOptions) -> dict[int, str]:
    """Plain text (tesseract's layout: paragraphs separated by blank lines) of
    the given 1-based pages. Call only when :func:`unavailable_reason` is None."""
    languages = _languages(options.ocr_languages)
    texts: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="archive-ocr-") as tmp:
        source = Path(tmp, "in.pdf")
        source.write_bytes(data)
        password = ["-upw", options.password] if options.password else []
        for page in pages:
            image = Path(tmp, f"p{page}")
            _run(
                ["pdftoppm", "-q", "-r", str(DPI), "-gray", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                 *password, str(source), str(image)],
                "rendering", page,
            )
            done = _run(["tesseract", f"{image}.png", "stdout", "-l", languages], "tesseract", page)
            texts[page] = done.stdout.decode("utf-8", "replace")
            Path(f"{image}.png").unlink(missing_ok=True)
    return texts
