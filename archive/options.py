"""One options object for extraction, instead of keyword arguments threaded everywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractOptions:
    #: Password tried on encrypted PDFs.
    password: str = ""
    #: OCR scanned PDF pages when tesseract is available: "auto" (if installed), "never".
    ocr: str = "auto"
    #: Languages passed to tesseract.
    ocr_languages: str = "fra+nld+eng"
    #: Files larger than this are refused before being read (bytes).
    max_file_bytes: int = 200 * 1024 * 1024
    #: PDF pages beyond this are not read (the reason says so in the log).
    max_pages: int = 2000
    #: Text longer than this (characters, after extraction) is cut.
    max_text_chars: int = 20_000_000
    #: Seconds one file may take before it is given up (0: no limit).
    timeout: float = 300.0  # OCR of a scanned report takes about 10 s a page here
    #: Address-space limit of each worker process in MB (0: no limit), so that a
    #: decompression bomb fails alone instead of exhausting the machine.
    max_memory_mb: int = 4096
