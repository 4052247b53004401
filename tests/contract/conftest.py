"""The contract suite: every engine named by ``$ARCHIVE_ENGINE`` (comma-separated; default: every
engine of ``indexer.engines.ENGINES`` that needs no server) gets the same real documents and the
same checks."""

from __future__ import annotations

import io
import json
import os
import textwrap
from pathlib import Path

import pytest

from indexer.engines import ENGINES

#: Engines that run without a server; others are tested when $ARCHIVE_ENGINE names them.
EMBEDDED = ("whoosh",)


def engine_names() -> list[str]:
    named = [n.strip() for n in os.environ.get("ARCHIVE_ENGINE", "").split(",") if n.strip()]
    return named or [n for n in ENGINES if n in EMBEDDED]


PROJECTS = """
[alert]
name = "ALERT"
case_sensitive = ["ALERT"]

[declic]
name = "(Dé)clic"
aliases = ["Déclic"]
"""

TEXTS = {
    "fr_traite_2019.txt": """
        Rapport sur la traite des enfants en Belgique

        Le 6 novembre 2019, ECPAT Belgique a présenté son étude sur la traite des enfants.
        Le projet ALERT forme les professionnels de première ligne à repérer les victimes.
        """,
    "fr_ecoles_2021.txt": """
        Ateliers dans les écoles

        Le 3 mars 2021, le projet (Dé)clic a réuni des adolescents pour parler des risques en ligne.
        Les élèves ont appris à signaler un contenu inquiétant.
        """,
    "nl_opleiding_2020.txt": """
        Opleiding over kinderhandel

        Op 12 maart 2020 startte een opleiding over kinderhandel voor voogden van niet-begeleide minderjarigen.
        """,
    "en_sports_2022.txt": """
        Child protection at major sporting events

        On 3 June 2022 ECPAT warned that major sporting events increase the risk of child trafficking.
        Travellers are asked to report suspicious situations.
        """,
    "en_training_2022.txt": """
        Training hotel staff

        On 9 September 2022 hotel staff were trained to recognise children at risk of exploitation.
        """,
}
INTERNAL = "Notes internes zorglubmarker\n\nRéunion sur le budget zorglubmarker du projet ALERT.\n"


def _pdf() -> bytes:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    pages = ["Rapport annuel de l'association, introduction et remerciements aux partenaires.",
             "Les voyageurs signalent rarement les situations suspectes aux autorités compétentes.",
             "Les campagnes de prévention dans les aéroports ont touché des milliers de voyageurs."]
    for text in pages:
        c.drawString(60, 760, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "projects.toml").write_text(PROJECTS, encoding="utf-8")
    for name, text in TEXTS.items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    (folder / "rapport_voyageurs_2023.pdf").write_bytes(_pdf())
    (folder / "rapport_voyageurs_2023.pdf.meta.json").write_text(json.dumps({"date": "2023-05-01"}), encoding="utf-8")
    (folder / "internal.txt").write_text(INTERNAL, encoding="utf-8")
    (folder / "internal.txt.meta.json").write_text(json.dumps({"visibility": "internal"}), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def opensearch_cluster():
    """OpenSearch node URLs for the opensearch engine: ``$ARCHIVE_OPENSEARCH_URL`` when set, else a
    3-node cluster started once for the session (``scripts/opensearch-cluster``, HTTP on
    ``$ARCHIVE_OPENSEARCH_TEST_PORT``, default 9360, to +2) and stopped at its end. Each session
    searches its own alias (``archive-test-PID``)."""
    import shutil
    import subprocess
    import sys
    import tempfile

    alias = os.environ["ARCHIVE_OPENSEARCH_INDEX"] = f"archive-test-{os.getpid()}"
    if os.environ.get("ARCHIVE_OPENSEARCH_URL"):  # a cluster of the caller's: only this session's indices go
        yield os.environ["ARCHIVE_OPENSEARCH_URL"]
        from indexer.opensearch.client import Settings, connect

        client = connect(Settings.from_env())
        client.indices.delete(index=f"{alias}-v*", params={"ignore_unavailable": "true", "allow_no_indices": "true"})
        client.close()
        os.environ.pop("ARCHIVE_OPENSEARCH_INDEX", None)
        return
    if not (shutil.which("java") and shutil.which("mvn")):
        pytest.skip("the OpenSearch engine's tests need java and mvn (or $ARCHIVE_OPENSEARCH_URL)")
    script = Path(__file__).resolve().parents[2] / "scripts" / "opensearch-cluster"
    # Not tmp_path: another pytest session may clean up its base directory while the nodes run.
    data = tempfile.mkdtemp(prefix="archive-contract-os-")
    port = os.environ.get("ARCHIVE_OPENSEARCH_TEST_PORT", "9360")
    started = subprocess.run([sys.executable, str(script), "start", "--nodes", "3", "--port", port, "--data", data,
                              "--heap", "384m", "--quick-start"], capture_output=True, text=True)
    if started.returncode:
        pytest.fail(f"the OpenSearch test cluster did not start:\n{started.stderr[-3000:]}")
    os.environ["ARCHIVE_OPENSEARCH_URL"] = started.stdout.strip()
    os.environ["ARCHIVE_OPENSEARCH_VERIFY"] = "0"  # a test cluster over loopback, without TLS
    try:
        yield os.environ["ARCHIVE_OPENSEARCH_URL"]
    finally:
        subprocess.run([sys.executable, str(script), "stop", "--data", data], capture_output=True)
        os.environ.pop("ARCHIVE_OPENSEARCH_URL", None)
        os.environ.pop("ARCHIVE_OPENSEARCH_INDEX", None)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(params=engine_names())
def engine_name(request, monkeypatch) -> str:
    if request.param == "opensearch":
        request.getfixturevalue("opensearch_cluster")
    monkeypatch.setenv("ARCHIVE_ENGINE", request.param)
    return request.param


@pytest.fixture()
def built(engine_name, tmp_path):
    """(corpus folder, index folder, engine) made for one test: each may write."""
    from indexer.engines import open_engine
    from indexer.sync import SyncOptions, sync

    folder = write_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    report = sync([folder], index_dir, SyncOptions(jobs=1))
    assert not report.failed, report.failed
    engine = open_engine(index_dir)
    yield folder, index_dir, engine
    engine.close()


@pytest.fixture()
def engine(built):
    return built[2]
