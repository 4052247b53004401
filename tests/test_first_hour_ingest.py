"""The first hour with `archive ingest` and `archive remove`: failed files tried again when that can
help, removed files coming back (or kept out by .archiveignore), files gone from disk, progress."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.options import ExtractOptions
from indexer.sync import SyncOptions, sync
from search.cli import main

SHARED_ENCRYPTED = Path(__file__).resolve().parents[2] / "shared" / "data" / "pdf" / "pdfminer_encrypted_aes256_user-foo_owner-baz.pdf"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def search_paths(index: Path, query: str) -> list[str]:
    result = run("search", query, "--index", index, "--format", "json", "--limit", "100")
    assert result.exit_code == 0, result.output
    return [Path(hit["path"]).name for hit in json.loads(result.stdout)["hits"]]


def write_pdf(path: Path, text: str | None, password: str | None = None) -> Path:
    """A one-page PDF with ``text``, or with only a filled rectangle (a page with no text layer)."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    encrypt = StandardEncryption(password, ownerPassword="owner", strength=128) if password else None
    pdf = canvas.Canvas(str(path), encrypt=encrypt)
    if text:
        pdf.drawString(72, 720, text)
    else:
        pdf.rect(100, 100, 300, 300, fill=1)
    pdf.showPage()
    pdf.save()
    return path


def tries(folder: Path, index: Path, **options) -> tuple[int, list[tuple[str, str]]]:
    """How many files one sync extracted, and the failures it reported."""
    planned: list[int] = []
    report = sync([folder], index, SyncOptions(jobs=1, **options), on_plan=planned.append)
    return planned[0], sorted((Path(path).name, reason) for path, reason in report.failed)


# --- 1. a file that failed is tried again when what it depended on changed ---------------


@pytest.mark.parametrize("source", ["reportlab", "shared"])
def test_a_password_given_later_indexes_the_encrypted_pdf(tmp_path, source):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("Une note\n\nUne note sur la protection des enfants.\n", encoding="utf-8")
    if source == "shared":
        if not SHARED_ENCRYPTED.exists():
            pytest.skip(f"{SHARED_ENCRYPTED} is absent")
        shutil.copy(SHARED_ENCRYPTED, folder / "secret.pdf")
        word = "secret"
    else:
        write_pdf(folder / "secret.pdf", "Rapport confidentiel zorglub sur la protection des enfants.", password="foo")
        word = "zorglub"
    index = tmp_path / "ix"

    first = run("ingest", folder, "--index", index, "--jobs", "1")
    assert first.exit_code == 1
    assert "secret.pdf: encrypted: a password is needed (use --password)" in first.stderr
    assert tries(folder, index) == (0, [("secret.pdf", "encrypted: a password is needed (use --password)")])

    wrong = run("ingest", folder, "--index", index, "--password", "bar")
    assert wrong.exit_code == 1 and "secret.pdf: encrypted: wrong password" in wrong.stderr

    right = run("ingest", folder, "--index", index, "--password", "foo")
    assert right.exit_code == 0, right.output
    assert "1 added, 0 updated, 1 unchanged, 0 removed, 0 failed" in right.stdout
    assert search_paths(index, word) == ["secret.pdf"]
    manifest = (index / "archive-manifest.json").read_text(encoding="utf-8")
    assert "foo" not in manifest and "bar" not in manifest  # passwords are told apart, never kept


def test_a_failed_file_is_tried_again_only_when_what_it_depended_on_changed(tmp_path, monkeypatch):
    import archive.pipeline

    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "scan.pdf", None)
    (folder / "empty.md").write_bytes(b"")
    index = tmp_path / "ix"
    no_ocr, fake_ocr = tmp_path / "bin-without-tesseract", tmp_path / "bin-with-tesseract"
    no_ocr.mkdir()
    fake_ocr.mkdir()
    (fake_ocr / "tesseract").write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    (fake_ocr / "tesseract").chmod(0o755)

    monkeypatch.setenv("PATH", str(no_ocr))
    assert tries(folder, index) == (2, [("empty.md", "empty file"), ("scan.pdf", "no text layer (scanned?): install tesseract to read it by OCR")])
    assert tries(folder, index)[0] == 0  # nothing changed: nothing is read again
    assert tries(folder, index, extract=ExtractOptions(password="foo"))[0] == 1  # the PDF only

    monkeypatch.setenv("PATH", str(fake_ocr))  # tesseract installed: the PDF, not the empty text file
    assert tries(folder, index) == (1, [("empty.md", "empty file"), ("scan.pdf", "no text layer (scanned?): install poppler-utils (pdftoppm) to read it by OCR")])
    assert tries(folder, index)[0] == 0

    monkeypatch.setattr(archive.pipeline, "PIPELINE_VERSION", archive.pipeline.PIPELINE_VERSION + "-next")  # an upgrade
    assert tries(folder, index)[0] == 2
    assert tries(folder, index)[0] == 0
    assert tries(folder, index, retry_failed=True)[0] == 2

    result = run("ingest", folder, "--index", index, "--jobs", "1", "--retry-failed")
    assert result.exit_code == 1 and "extracting: 2/2 files" in result.stderr and "2 failed" in result.stdout


# --- 2. remove: until the next ingest of the folder, or for good with --forget ------------


def test_remove_by_id_or_by_path_lasts_until_the_next_ingest_of_its_folder(corpus, tmp_path):
    index = tmp_path / "ix"
    other = tmp_path / "other"
    other.mkdir()
    (other / "elsewhere.txt").write_text("Ailleurs\n\nUn texte sur les girafes.\n", encoding="utf-8")
    assert run("ingest", corpus, other, "--index", index, "--jobs", "1").exit_code == 0
    doc_id = json.loads(run("search", "trafficking", "--index", index, "--format", "json").stdout)["hits"][0]["id"]

    for target in (doc_id, corpus / "en_trafficking_2022.txt"):
        removed = run("remove", target, "--index", index)
        assert removed.exit_code == 0, removed.output
        assert removed.stdout.startswith("1 document removed until the next ingest of its folder")
        assert search_paths(index, "trafficking") == []
        assert run("ingest", other, "--index", index).exit_code == 0  # another folder: still out
        assert search_paths(index, "trafficking") == []
        again = run("ingest", corpus, "--index", index)
        assert "1 added, 0 updated, 5 unchanged" in again.stdout, (target, again.output)
        assert search_paths(index, "trafficking") == ["en_trafficking_2022.txt"]


def test_remove_forget_keeps_the_file_out_until_its_line_is_deleted(corpus, tmp_path):
    index = tmp_path / "ix"
    assert run("ingest", corpus, "--index", index, "--jobs", "1").exit_code == 0
    doc_id = json.loads(run("search", "trafficking", "--index", index, "--format", "json").stdout)["hits"][0]["id"]

    forgot = run("remove", doc_id, "--forget", "--index", index)
    assert forgot.exit_code == 0, forgot.output
    ignore_file = corpus / ".archiveignore"
    assert f"en_trafficking_2022.txt added to {ignore_file}" in forgot.stdout
    assert "en_trafficking_2022.txt" in ignore_file.read_text(encoding="utf-8").splitlines()

    os.utime(corpus / "en_trafficking_2022.txt", (1, 1))  # touched
    for extra in ([], ["--prune"], ["--retry-failed"]):
        result = run("ingest", corpus, "--index", index, *extra)
        assert result.exit_code == 0 and "0 added" in result.stdout and "1 ignored by .archiveignore" in result.stdout
        assert search_paths(index, "trafficking") == []
    assert run("ingest", corpus / "en_trafficking_2022.txt", "--index", index).stdout.startswith("0 added")  # named alone too

    ignore_file.write_text("# nothing left out\n", encoding="utf-8")  # the line deleted
    back = run("ingest", corpus, "--index", index)
    assert "1 added" in back.stdout and "ignored" not in back.stdout
    assert search_paths(index, "trafficking") == ["en_trafficking_2022.txt"]


def test_forgetting_a_folder_writes_it_in_the_folder_above(corpus, tmp_path):
    index = tmp_path / "ix"
    drafts = corpus / "drafts [old]"
    drafts.mkdir()
    (drafts / "draft.txt").write_text("Brouillon\n\nUn brouillon sur les girafes.\n", encoding="utf-8")
    assert run("ingest", corpus, "--index", index, "--jobs", "1").exit_code == 0
    assert search_paths(index, "girafes") == ["draft.txt"]

    forgot = run("remove", drafts, "--forget", "--index", index)
    assert forgot.stdout.startswith("1 document removed\n")
    assert "drafts [[]old]" in (corpus / ".archiveignore").read_text(encoding="utf-8").splitlines()  # the name, not a pattern
    for root in (corpus, drafts, drafts / "draft.txt"):
        result = run("ingest", root, "--index", index)
        assert "1 ignored by .archiveignore" in result.stdout, result.output
        assert search_paths(index, "girafes") == []


def test_a_line_added_by_hand_takes_indexed_files_out(corpus, tmp_path):
    index = tmp_path / "ix"
    assert run("ingest", corpus, "--index", index, "--jobs", "1").exit_code == 0
    (corpus / ".archiveignore").write_text("# kept out by hand\nen_*.txt\n", encoding="utf-8")
    result = run("ingest", corpus, "--index", index)
    assert "0 added, 0 updated, 4 unchanged, 2 removed, 0 failed, 2 ignored by .archiveignore" in result.stdout
    assert search_paths(index, "trafficking OR network") == []


def test_help_explains_remove_forget_and_archiveignore():
    remove_help = " ".join(run("remove", "--help").output.split())
    assert "--forget" in remove_help and ".archiveignore" in remove_help and "next `archive ingest`" in remove_help
    ingest_help = " ".join(run("ingest", "--help").output.split())
    assert all(word in ingest_help for word in (".archiveignore", "--retry-failed", "--quiet", "--prune"))


# --- 3. files gone from disk, and counts in words that agree -----------------------------


def test_a_plain_ingest_says_how_many_indexed_files_are_gone(corpus, tmp_path):
    index = tmp_path / "ix"
    assert run("ingest", corpus, "--index", index, "--jobs", "1").exit_code == 0
    (corpus / "en_trafficking_2022.txt").unlink()
    (corpus / "en_report_2019.txt").unlink()

    plain = run("ingest", corpus, "--index", index)
    assert "2 indexed files are gone from disk; run with --prune to remove them" in plain.stdout
    pruned = run("ingest", corpus, "--index", index, "--prune")
    assert "0 added, 0 updated, 4 unchanged, 2 removed" in pruned.stdout and "gone" not in pruned.stdout
    assert search_paths(index, "trafficking OR network") == []

    (corpus / "nl_kinderhandel_2020.txt").unlink()
    assert "1 indexed file is gone from disk; run with --prune to remove them" in run("ingest", corpus, "--index", index).stdout


def test_summaries_say_one_document_not_one_documents(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("Une note\n\nUne note sur la protection des enfants.\n", encoding="utf-8")
    index = tmp_path / "ix"
    assert "; 1 document written in" in run("ingest", folder, "--index", index).stdout
    assert run("remove", folder / "note.txt", "--index", index).stdout.startswith("1 document removed ")


# --- 4. progress ------------------------------------------------------------------------

LINE = re.compile(r"extracting: (\d+)/6 files \(\d+%\), [\d.]+ files/s, (about .+ left|done in .+)")


def test_progress_is_a_plain_line_per_step_when_stderr_is_not_a_terminal(corpus, tmp_path):
    result = run("ingest", corpus, "--index", tmp_path / "ix", "--jobs", "1")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines and all(LINE.fullmatch(line) for line in lines), lines
    assert [int(LINE.fullmatch(line)[1]) for line in lines] == [1, 2, 3, 4, 5, 6]
    assert "done in" in lines[-1] and "\r" not in result.stderr
    assert "extracting" not in result.stdout


def test_quiet_shows_no_progress_but_still_the_summary(corpus, tmp_path):
    result = run("ingest", corpus, "--index", tmp_path / "ix", "--jobs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith("6 added, 0 updated, 0 unchanged, 0 removed, 0 failed")
