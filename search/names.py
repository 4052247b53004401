"""What people see in place of the ids the index stores: project names, and whose archive it is.

The index stores project ids (``je-dis-stop``); people read the names from
``projects.toml`` ("Je dis STOP"). Programs (JSON, CSV, the API) get the ids,
people (text output, the web page) the names. The names come from the same
file ``archive ingest`` used: ``--projects``, else ``$ARCHIVE_PROJECTS``, else
the nearest ``projects.toml`` above the indexed files.

Whose archive it is travels with the documents too: the nearest ``archive.toml``
above the indexed files names the organisation in each interface language, says
in a short line what the archive is, and may give the site's public address (for
citations). Without one, the site names nobody.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import ConfigError
from archive.metadata import Vocabulary

#: Beside the documents, like ``projects.toml``: whose archive it is (see :class:`Organisation`).
ARCHIVE_FILE = "archive.toml"
#: Names the organisation, over the file's names (``archive serve --organisation``).
ORGANISATION_VARIABLE = "ARCHIVE_ORGANISATION"
#: The site's public address, over the file's ``public_url`` (``archive serve --public-url``).
PUBLIC_URL_VARIABLE = "ARCHIVE_PUBLIC_URL"
#: The languages an ``archive.toml`` may name the organisation in (the interface's).
LANGUAGES = ("fr", "nl", "en")


class ProjectNames:
    """Project id -> display name, and back (a name or an id in any case -> the id)."""

    def __init__(self, vocabulary: Vocabulary | None = None):
        self.vocabulary = vocabulary
        self._ids: dict[str, str] = {}
        for pid, project in (vocabulary.projects.items() if vocabulary else ()):
            self._ids.setdefault(project.name.casefold(), pid)
            self._ids.setdefault(pid.casefold(), pid)

    def __call__(self, pid: str) -> str:
        return self.vocabulary.name(pid) if self.vocabulary else pid

    def __bool__(self) -> bool:
        return bool(self.vocabulary and self.vocabulary.projects)

    def id_of(self, text: str) -> str:
        """The project id that ``text`` names (``ALERT``, ``Je dis stop``, ``je-dis-stop``); ``text`` when none does."""
        return self._ids.get(text.strip().casefold(), text.strip())

    @classmethod
    def for_index(cls, index_dir: Path, explicit: Path | None = None) -> "ProjectNames":
        """The names for the index in ``index_dir``; without a vocabulary, ids stand for names."""
        from indexer.projects import vocabulary_for_index

        return cls(vocabulary_for_index(index_dir, explicit))


@dataclass(frozen=True)
class Organisation:
    """Whose archive it is: a name and a short "about" line per interface language, and the public address.

    Without names, the site says what the archive holds, not whose it is.
    """

    names: dict[str, str] = field(default_factory=dict)
    about: dict[str, str] = field(default_factory=dict)
    #: The address the site is reached at by the public (``https://archive.example.org``), without a final
    #: slash; None: citations give the address the request came to.
    public_url: str | None = None
    #: The ``archive.toml`` read, if any.
    source: Path | None = None

    def name(self, lang: str) -> str | None:
        """The name in ``lang``, else in English, else in any language the file gives; None when nobody is named."""
        return _in(self.names, lang)

    def about_line(self, lang: str) -> str | None:
        return _in(self.about, lang)

    @classmethod
    def load(cls, path: Path) -> "Organisation":
        """Read ``archive.toml``; a :class:`ConfigError` naming the file and the key when it is malformed."""
        import tomllib

        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read whose archive it is: {exc}") from exc
        unknown = sorted(set(data) - {"name", "about", "public_url"})
        if unknown:
            raise ConfigError(f"{path}: unknown key {unknown[0]!r}; the keys are name, about and public_url")
        url = data.get("public_url")
        if url is not None and not isinstance(url, str):
            raise ConfigError(f"{path}: public_url must be a string such as \"https://archive.example.org\"")
        return cls(_per_language(path, "name", data.get("name")), _per_language(path, "about", data.get("about")),
                   public_address(url, str(path)), Path(path))

    @classmethod
    def for_index(cls, index_dir: Path, name: str | None = None, public_url: str | None = None) -> "Organisation":
        """Whose archive the index in ``index_dir`` is: the nearest ``archive.toml`` above its files, with
        ``name`` (else ``$ARCHIVE_ORGANISATION``) and ``public_url`` (else ``$ARCHIVE_PUBLIC_URL``) over it.

        A name given this way replaces the file's in every language; the file's about line, which speaks
        of the organisation the file names, is then dropped (unless the name is one of the file's, or the
        file names no one)."""
        path = find_archive_file(Path(index_dir))
        found = cls.load(path) if path is not None else cls()
        name = (name if name is not None else os.environ.get(ORGANISATION_VARIABLE, "")).strip()
        url = public_url if public_url is not None else os.environ.get(PUBLIC_URL_VARIABLE, "")
        names, about = found.names, found.about
        if name:
            about = about if not names or name in names.values() else {}
            names = {lang: name for lang in LANGUAGES}
        source = "--public-url" if public_url is not None else f"${PUBLIC_URL_VARIABLE}"
        return cls(names, about, public_address(url, source) if url.strip() else found.public_url, found.source)


def find_archive_file(index_dir: Path) -> Path | None:
    """The nearest ``archive.toml`` in a folder of the indexed files or above it, as for ``projects.toml``."""
    from indexer.projects import FOLDERS_LOOKED_AT
    from indexer.store import read_manifest

    folders = list(dict.fromkeys(os.path.dirname(p) for p in read_manifest(index_dir)))[:FOLDERS_LOOKED_AT]
    for start in folders:
        folder = Path(os.path.abspath(start))
        for candidate in (folder, *folder.parents):
            if (candidate / ARCHIVE_FILE).is_file():
                return candidate / ARCHIVE_FILE
    return None


def public_address(value: str | None, source: str) -> str | None:
    """``value`` as the base of permanent addresses (``https://host/prefix``), or None when empty;
    a :class:`ConfigError` naming ``source`` when it is not an http(s) address."""
    from urllib.parse import urlsplit

    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"{source}: {value!r} is not a public address; write it as https://archive.example.org "
                          "(a path after the host is kept: https://example.org/archive)")
    return value.rstrip("/")


def _per_language(path: Path, key: str, value) -> dict[str, str]:
    """``name = "X"`` (every language) or a table ``[name] fr = ".." nl = ".." en = ".."``."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {lang: value.strip() for lang in LANGUAGES} if value.strip() else {}
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ConfigError(f"{path}: {key}.{unknown[0]}: the languages are {', '.join(LANGUAGES)}")
        return {lang: text.strip() for lang, text in value.items() if text.strip()}
    raise ConfigError(f"{path}: {key} must be a string or a table of strings by language (fr, nl, en)")


def _in(texts: dict[str, str], lang: str) -> str | None:
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), None)
