"""Shared fixtures: small real corpora written by the tests, and real indexes built from them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

PROJECTS_TOML = """
[alert]
name = "ALERT"
case_sensitive = ["ALERT"]

[je-dis-stop]
name = "Je dis STOP"
aliases = ["Ik zeg STOP", "I say STOP"]

[declic]
name = "(Dé)clic"
aliases = ["Déclic", "De-clic"]

[react]
name = "ReACT"
case_sensitive = ["ReACT"]
"""

GLOSSARY_TSV = "en\tfr\tnl\nchild trafficking\ttraite des enfants\tkinderhandel\nvictim|victims\tvictime|victimes\tslachtoffer|slachtoffers\n"

# name -> text; dates, languages and projects vary so that filters and facets have something to do.
DOCUMENTS = {
    "fr_traite_2019.txt": """
        Rapport sur la traite des enfants en Belgique

        Le 6 novembre 2019, ECPAT Belgique a présenté son étude sur la traite des enfants et les évènements sportifs.
        Le projet ALERT forme les professionnels de première ligne à repérer les victimes.

        Les enfants victimes de traite restent souvent invisibles aux yeux des services sociaux.
        """,
    "fr_declic_2021.md": """
        # Communiqué de presse : le projet (Dé)clic dans les écoles

        Bruxelles, le 3 mars 2021. Le projet (Dé)clic aide les adolescents à se protéger des risques en ligne.
        Les événements organisés dans vingt écoles ont réuni plus de mille élèves.
        """,
    "nl_kinderhandel_2020.txt": """
        Persbericht: nieuwe opleiding over kinderhandel

        Brussel, 12 maart 2020. ECPAT België lanceert een opleiding over mensenhandel en kinderhandel voor voogden.
        Het project ReACT ondersteunt slachtoffers en hun begeleiders in heel België.
        """,
    "en_trafficking_2022.txt": """
        Press release: child trafficking and major sporting events

        London, 3 June 2022. ECPAT warns that major sporting events increase the risk of child trafficking.
        The I say STOP campaign asks travellers to report suspicious situations.
        """,
    "en_report_2019.txt": """
        Annual report 2019 of the children's rights network

        Published 15 January 2019. The network trained four hundred professionals on online safety for children.
        Volunteers organised workshops about the safe use of social media by teenagers.
        """,
}


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "projects.toml").write_text(PROJECTS_TOML, encoding="utf-8")
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    internal = folder / "internal_notes.txt"
    internal.write_text("Notes internes zorglubmarker\n\nRéunion de l'équipe sur le budget zorglubmarker du projet ALERT.\n", encoding="utf-8")
    (folder / "internal_notes.txt.meta.json").write_text(json.dumps({"visibility": "internal"}), encoding="utf-8")
    return folder


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture(scope="session")
def built_index(tmp_path_factory) -> tuple[Path, Path]:
    """(corpus folder, index folder) built once for the read-only search tests."""
    from indexer.sync import SyncOptions, sync

    base = tmp_path_factory.mktemp("shared")
    folder = write_corpus(base / "corpus")
    (base / "glossary.tsv").write_text(GLOSSARY_TSV, encoding="utf-8")
    index_dir = base / "index"
    report = sync([folder], index_dir, SyncOptions(jobs=1))
    assert not report.failed, report.failed
    return folder, index_dir


@pytest.fixture(scope="session")
def engine(built_index):
    from indexer.whoosh.engine import WhooshEngine
    from indexer.glossary import Glossary

    folder, index_dir = built_index
    eng = WhooshEngine(index_dir, Glossary.load(folder.parent / "glossary.tsv"))
    yield eng
    eng.close()
