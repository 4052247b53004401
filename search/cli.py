"""The ``archive`` command. Each command parses its options, makes one library call and prints.

Heavy libraries (pdfminer, trafilatura, langdetect, the web stack) are imported
inside the commands that need them, so ``archive search`` starts fast.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path

import click

from archive.errors import ArchiveError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _verbose_option(func):
    """``--verbose`` accepted both before and after the command name."""

    def callback(ctx: click.Context, _param, value: bool) -> bool:
        if value:
            ctx.ensure_object(dict)["verbose"] = True
            logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        return value

    return click.option("-v", "--verbose", is_flag=True, expose_value=False, is_eager=True, callback=callback,
                        help="Show tracebacks and progress details.")(func)


def handle_errors(func):
    """Turn library errors into one line on stderr and exit 1; tracebacks only with --verbose."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        verbose = (ctx.find_root().obj or {}).get("verbose") or (ctx.obj or {}).get("verbose")
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ArchiveError as exc:
            if verbose:
                raise
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except BrokenPipeError:
            # The reader went away (`archive search ... | head`): not an error.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            if verbose:
                raise
            raise click.ClickException(f"unexpected error: {type(exc).__name__}: {exc} (run with --verbose for details)") from None

    return wrapper


@click.group(context_settings=CONTEXT)
@_verbose_option
@click.version_option(package_name="archive")
@click.pass_context
def main(ctx: click.Context) -> None:
    """A multilingual (French, Dutch, English) archive of publications with full-text search.

    Typical use: `archive ingest corpus/` then `archive search "traite des enfants"`
    or `archive serve corpus/` for the search page.

    The CLI sees everything the index holds, internal documents too; --public (on
    search, show, similar and stats) shows only public documents, as the search page does.
    """
    ctx.ensure_object(dict)
    if not ctx.obj.get("verbose"):
        # pdfminer warns about every missing CropBox; the one-line reasons are what matter.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)


# --- extraction ---------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True,
              help="json: one object per document (a list when the file holds several).")
@click.option("--password", default="", help="Password for an encrypted PDF.")
@click.option("--projects", "projects_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Project vocabulary (default: $ARCHIVE_PROJECTS, else the nearest projects.toml).")
@_verbose_option
@handle_errors
def extract(file: Path, fmt: str, password: str, projects_file: Path | None) -> None:
    """Show what the archive sees in FILE: documents, metadata, languages and passages."""
    from archive.metadata import Vocabulary, find_vocabulary
    from archive.options import ExtractOptions
    from archive.pipeline import extract_file

    vocab_path = find_vocabulary([file], projects_file)
    vocabulary = Vocabulary.load(vocab_path) if vocab_path else None
    try:
        docs = extract_file(file, ExtractOptions(password=password), vocabulary)
    except ArchiveError as exc:
        if getattr(exc, "path", None) is None and hasattr(exc, "path"):
            exc.path = str(file)
        raise
    if fmt == "json":
        data = [d.to_dict() for d in docs]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
        return
    for doc in docs:
        _print_document(doc, vocabulary)


def _print_document(doc, vocabulary) -> None:
    shares = ", ".join(f"{lang} {share:.0%}" for lang, share in doc.langs.items()) or "und"
    projects = ", ".join(vocabulary.name(p) for p in doc.projects) if vocabulary else ", ".join(doc.projects)
    click.secho(doc.title or "(untitled)", bold=True)
    for label, value in (
        ("id", doc.id), ("file", doc.path), ("format", doc.format), ("date", doc.date.isoformat() if doc.date else "-"),
        ("type", doc.type), ("projects", projects or "-"), ("language", f"{doc.lang} ({shares})"),
        ("visibility", doc.visibility), ("passages", len(doc.passages)),
    ):
        click.echo(f"  {label:<10} {value}")
    for passage in doc.passages:
        where = f"page {passage.page}" if passage.page is not None else "passage"
        text = " ".join(passage.text.split())
        click.echo(f"  [{where}, {passage.lang}] {text[:160]}{'…' if len(text) > 160 else ''}")
    click.echo()


@main.command(context_settings=CONTEXT)
@click.argument("file", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
@_verbose_option
@handle_errors
def detect(file) -> None:
    """Print the language (fr, nl, en or und) of each line of FILE (default: standard input)."""
    from archive.language import detect as detect_language

    # Split on "\n" only: str.splitlines() also breaks on U+0085 and friends.
    lines = file.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line, it does not start another
    for line in lines:
        click.echo(detect_language(line))


# --- index ----------------------------------------------------------------------

_index_option = click.option(
    "--index", "index_dir", type=click.Path(path_type=Path, file_okay=False), envvar="ARCHIVE_INDEX",
    help="Index folder (default: $ARCHIVE_INDEX, else ~/.local/share/archive/index).")


def _index_dir(index_dir: Path | None) -> Path:
    from indexer.store import resolve_index_dir

    return resolve_index_dir(index_dir)


def run_sync(paths: list[Path], index_dir: Path, jobs: int | None, prune: bool, wait: float, password: str,
             projects_file: Path | None, quiet: bool = False, retry_failed: bool = False):
    """Sync with progress on stderr (see search/progress.py); shared by `ingest` and `serve`."""
    from archive.options import ExtractOptions
    from indexer.sync import SyncOptions, sync

    from .progress import Progress

    progress = Progress(sys.stderr, quiet)
    options = SyncOptions(jobs=jobs, prune=prune, wait=wait, extract=ExtractOptions(password=password),
                          vocabulary=projects_file, retry_failed=retry_failed)
    try:
        return sync(paths, index_dir, options, progress.start, lambda result: progress.advance())
    finally:
        progress.close()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def print_report(report, index_dir: Path, prune_hint: str = "run `archive ingest --prune` to remove them") -> None:
    rebuilt = " (index rebuilt for a new version)" if report.rebuilt else ""
    ignored = f", {report.ignored} ignored by .archiveignore" if report.ignored else ""
    click.echo(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, {report.removed} removed, "
               f"{len(report.failed)} failed{ignored}; {_count(report.documents, 'document')} written in {report.seconds:.1f}s "
               f"to {index_dir}{rebuilt}")
    if report.gone:
        click.echo(f"{_count(report.gone, 'indexed file')} {'is' if report.gone == 1 else 'are'} gone from disk; {prune_hint}")
    for path, reason in report.failed:
        click.echo(f"failed: {path}: {reason}", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_index_option
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes for extraction (default: all cores).")
@click.option("--prune", is_flag=True, help="Remove documents whose files are gone from PATHS.")
@click.option("--wait", type=click.FloatRange(0), default=0.0, help="Seconds to wait if another ingest is writing.")
@click.option("--password", default="", help="Password tried on encrypted PDFs (files that failed for want of one are tried again).")
@click.option("--retry-failed", is_flag=True, help="Try every file that failed before again, even if nothing changed.")
@click.option("--projects", "projects_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Project vocabulary (default: $ARCHIVE_PROJECTS, else the nearest projects.toml).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr (the summary and failures are still printed).")
@_verbose_option
@handle_errors
def ingest(paths, index_dir, jobs, prune, wait, password, retry_failed, projects_file, quiet) -> None:
    """Add new files under PATHS to the index, replace changed ones, leave unchanged ones alone.

    A file that failed is tried again when something its outcome depended on
    changed: the file, --password, the archive's version, OCR installed (or
    with --retry-failed). Files that are gone from disk stay searchable until a
    run with --prune. Files and folders listed in an .archiveignore (one path or
    pattern per line, relative to its folder; # starts a comment) are left out,
    and taken out of the index if they were in it; delete the line to bring them
    back. `archive remove --forget` writes such lines.

    Shows progress on stderr: a bar on a terminal, a line every tenth of the
    files (or every 10 s) otherwise, nothing with --quiet. Exits with status 1
    when any file failed; each failure is listed with its reason.
    """
    index_dir = _index_dir(index_dir)
    report = run_sync(list(paths), index_dir, jobs, prune, wait, password, projects_file, quiet, retry_failed)
    print_report(report, index_dir, prune_hint="run with --prune to remove them")
    if report.failed:
        sys.exit(1)


@main.command(context_settings=CONTEXT)
@click.argument("targets", nargs=-1, required=True)
@_index_option
@click.option("--forget", is_flag=True,
              help="Keep the files out for good: add them to the .archiveignore of their folder.")
@click.option("--wait", type=click.FloatRange(0), default=0.0, help="Seconds to wait if another ingest is writing.")
@_verbose_option
@handle_errors
def remove(targets, index_dir, forget, wait) -> None:
    """Take documents out of the index by file path (a folder: all files under it) or document id.

    The index mirrors your folders: a file still on disk comes back at the next
    `archive ingest` of its folder. To keep it out for good, use --forget: it
    writes the file's name (or the folder's) to an .archiveignore file in the
    folder holding it, a list of paths or patterns, one per line, relative to
    that folder (# starts a comment), which ingest honours. Delete the line to
    index the file again. With a document id, --forget keeps out the whole file
    the document came from.
    """
    from indexer.sync import remove as remove_documents

    removal = remove_documents(list(targets), _index_dir(index_dir), wait, forget)
    removed = f"{_count(removal.documents, 'document')} removed"
    if not forget:
        one = removal.documents == 1
        click.echo(f"{removed} until the next ingest of {'its folder' if one else 'their folders'} "
                   f"(--forget keeps {'it' if one else 'them'} out for good)")
        return
    click.echo(removed)
    for ignore_file, line in removal.kept_out:
        click.echo(f"kept out for good: {line} added to {ignore_file} (delete the line to index it again)")


# --- search -------------------------------------------------------------------


def _engine(index_dir: Path | None, glossary: Path | None = None):
    from .fastimport import trim_after_engine, trim_search_imports

    trim_search_imports()
    from indexer.engines import open_engine

    engine = open_engine(_index_dir(index_dir), glossary)
    trim_after_engine()
    return engine


def _project_names(index_dir: Path | None, projects_file: Path | None):
    from .names import ProjectNames

    return ProjectNames.for_index(_index_dir(index_dir), projects_file)


class IsoDate(click.ParamType):
    """A day written YYYY-MM-DD; the error says how to write one (strptime's says "%Y-%m-%d")."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        import datetime as dt

        from .parameters import parse_day

        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _search_options(func):
    """``archive search``'s options: the settings of a search that the page and the API take as URL
    parameters, declared once for all three in ``parameters.PARAMETERS``."""
    from .parameters import MAX_ROWS, PARAMETERS

    for parameter in reversed(PARAMETERS):
        if parameter.cli_name is None:
            continue
        settings: dict = {"help": parameter.help}
        if parameter.kind == "flag":
            settings["is_flag"] = True
        elif parameter.kind == "choice":
            settings["type"] = click.Choice(parameter.choices, case_sensitive=False)
        elif parameter.kind == "int":
            settings["type"] = click.IntRange(parameter.minimum, MAX_ROWS if parameter.name == "per_page" else parameter.maximum)
        elif parameter.kind == "date":
            settings["type"] = IsoDate()
        if parameter.repeat:
            settings["multiple"] = True
        elif parameter.default not in (None, False):
            settings.update(default=parameter.default, show_default=True)
        func = click.option(parameter.cli_name, parameter.field, **settings)(func)
    return func


_visibility_option = click.option(
    "--internal/--public", "include_internal", default=True,
    help="The CLI sees everything the index holds, internal documents too; "
         "--public shows only public documents, as the search page does.")
_names_option = click.option(
    "--projects", "projects_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Project vocabulary, for project names (default: $ARCHIVE_PROJECTS, else the nearest projects.toml above the indexed files).")


@main.command(context_settings=CONTEXT)
@click.argument("query", required=False, default="")
@_index_option
@_search_options
@click.option("--glossary", type=click.Path(path_type=Path, dir_okay=False), help="Glossary TSV (default: $ARCHIVE_GLOSSARY, else corpus/glossary.tsv).")
@_visibility_option
@_names_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv"], case_sensitive=False), default="text", show_default=True,
              help="text names projects; json, jsonl and csv give ids, and each hit's visibility.")
@_verbose_option
@handle_errors
def search(query, index_dir, glossary, include_internal, projects_file, fmt, **settings) -> None:
    """Search the archive. QUERY: words (the more a document has, the higher it ranks; none
    is required), "a phrase", +required or a AND b, -excluded or NOT word, a OR b, (groups),
    prefix*, fuzzy~, and title:, exact:, lang:, year:, project:, type: (also before a quote or a
    group: title:"a phrase", -"a phrase"). Function words of a passage's language ("des", "in",
    "of") count only inside quotes; project names and aliases find their documents.

    The CLI sees every document the index holds, internal documents too; --public
    shows what the public search page shows."""
    from .output import print_response
    from indexer.contract import SearchRequest

    engine = _engine(index_dir, glossary)  # first: it trims the imports that Whoosh would make
    names = _project_names(index_dir, projects_file) if fmt == "text" or settings["projects"] else None
    settings["projects"] = tuple(names.id_of(p) for p in settings["projects"]) if names else ()
    request = SearchRequest(query=query, include_internal=include_internal, **settings)
    print_response(engine.search(request), fmt, names=names)


@main.command(context_settings=CONTEXT)
@click.argument("doc_id")
@_index_option
@_visibility_option
@_names_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"], case_sensitive=False), default="text", show_default=True)
@_verbose_option
@handle_errors
def show(doc_id, index_dir, include_internal, projects_file, fmt) -> None:
    """Show one document's metadata and full text."""
    doc = _engine(index_dir).document(doc_id, include_internal=include_internal)
    if doc is None:
        raise click.ClickException(f"no {'' if include_internal else 'public '}document with id {doc_id!r}")
    if fmt == "json":
        click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
        return
    from .output import print_document

    print_document(doc.to_dict(), _project_names(index_dir, projects_file))


@main.command(context_settings=CONTEXT)
@click.argument("doc_id")
@_index_option
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@_visibility_option
@_names_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv"], case_sensitive=False), default="text", show_default=True)
@_verbose_option
@handle_errors
def similar(doc_id, index_dir, limit, include_internal, projects_file, fmt) -> None:
    """Documents similar to DOC_ID (more like this)."""
    from .output import print_response
    from indexer.contract import SearchResponse

    engine = _engine(index_dir)
    if engine.document(doc_id, include_internal=include_internal) is None:
        raise click.ClickException(f"no {'' if include_internal else 'public '}document with id {doc_id!r}")
    hits = engine.similar(doc_id, limit, include_internal=include_internal)
    names = _project_names(index_dir, projects_file) if fmt == "text" else None
    print_response(SearchResponse(f"similar:{doc_id}", len(hits), 1, limit, hits), fmt, facets=False, names=names)


@main.command(context_settings=CONTEXT)
@_index_option
@_visibility_option
@_names_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"], case_sensitive=False), default="text", show_default=True)
@_verbose_option
@handle_errors
def stats(index_dir, include_internal, projects_file, fmt) -> None:
    """Counts of documents per year, language, project and type.

    "language of the text" counts a document under each language it has text in
    (as the search's language facet and --lang do); "main language" once, under
    its main language."""
    from .output import print_stats

    data = _engine(index_dir).stats(include_internal).to_dict()
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print_stats(data, _project_names(index_dir, projects_file))


# --- web ------------------------------------------------------------------------


def check_port(host: str, port: int) -> None:
    """Fail with a sentence (not a traceback after "Serving …") when the server could not listen."""
    import errno
    import socket

    if port == 0:
        return  # any free port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except socket.gaierror as exc:
            raise click.ClickException(f"cannot listen on {host!r}: {exc.strerror}; choose another address with --host") from None
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(f"port {port} is in use; choose another with --port") from None
            if exc.errno == errno.EACCES:
                raise click.ClickException(f"port {port} needs administrator rights; choose one above 1023 with --port") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise click.ClickException(f"{host} is not an address of this machine; choose another with --host") from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on: 127.0.0.1 only this machine, 0.0.0.0 every interface (the local network too).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port). The site is then at http://HOST:PORT/.")
@click.option("--staff", is_flag=True, help="Show internal documents too; every request then needs the token in $ARCHIVE_STAFF_TOKEN.")
@click.option("--organisation", envvar="ARCHIVE_ORGANISATION",
              help="Whose archive it is, named on every page and in citations, in every language (default: "
                   "$ARCHIVE_ORGANISATION, else the names in the archive.toml nearest above the indexed files; "
                   "without either, the site names no one).")
@click.option("--public-url", envvar="ARCHIVE_PUBLIC_URL",
              help="The address the public reaches the site at (https://archive.example.org), the start of the "
                   "permanent URL in each document's citation (default: $ARCHIVE_PUBLIC_URL, else public_url in "
                   "archive.toml; without either, the address each request came to, from its Host header).")
@click.option("--glossary", type=click.Path(path_type=Path, dir_okay=False), help="Glossary TSV for cross-language search (default: $ARCHIVE_GLOSSARY, else corpus/glossary.tsv).")
@click.option("--projects", "projects_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Project vocabulary, for project names (default: $ARCHIVE_PROJECTS, else the nearest projects.toml).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes when syncing PATHS (default: all cores).")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Server processes, each opening the index once, read-only (searches run one at a time per "
                   "process). Default: the number of cores this process may use.")
@click.option("--max-in-flight", type=click.IntRange(1, 1000), default=4, show_default=True,
              help="Requests each worker serves at once (static files aside); the others wait their turn.")
@click.option("--queue-wait", type=click.FloatRange(0, 60), default=1.0, show_default=True,
              help="Seconds a request may wait for its turn before it is answered 503 with Retry-After.")
@_verbose_option
@handle_errors
def serve(paths, index_dir, host, port, staff, organisation, public_url, glossary, projects_file, jobs, workers,
          max_in_flight, queue_wait) -> None:
    """Serve the search site and its JSON API (/api/, described at /openapi.json) until Ctrl+C.

    PATHS, when given, are synced into the index first. Without --staff the site shows public
    documents only; with --staff it shows internal ones too and asks for $ARCHIVE_STAFF_TOKEN.
    Whose archive it is (name and about line in each language, public address) is read from the
    archive.toml nearest above the indexed files when the server starts.
    """
    from .names import public_address

    try:  # before a sync that may take minutes
        public_url = public_address(public_url, "--public-url")
    except ArchiveError as exc:
        raise click.BadParameter(str(exc).removeprefix("--public-url: "), param_hint="'--public-url'") from None
    token = None
    if staff:
        token = os.environ.get("ARCHIVE_STAFF_TOKEN", "").strip()
        if not token:
            raise click.UsageError("--staff shows internal documents and needs a token: set $ARCHIVE_STAFF_TOKEN")
        if len(token) < 16:
            click.echo("warning: $ARCHIVE_STAFF_TOKEN is short; use 16 characters or more", err=True)
    check_port(host, port)  # before a sync that may take minutes
    index_dir = _index_dir(index_dir)
    if paths:
        report = run_sync(list(paths), index_dir, jobs, False, 0.0, "", projects_file)
        print_report(report, index_dir)
        if projects_file is None:
            from archive.metadata import find_vocabulary

            projects_file = find_vocabulary(list(paths))

    import uvicorn

    from .web import create_app

    if workers is None:
        workers = _cores()
    limits = {"max_in_flight": max_in_flight, "queue_wait": queue_wait}
    app = create_app(index_dir, token, glossary, projects_file, organisation, public_url=public_url,
                     **limits)  # also checks the index and archive.toml before listening
    verbose = (click.get_current_context().find_root().obj or {}).get("verbose", False)
    check_port(host, port)  # still free after the sync
    shown = "0.0.0.0 (every interface)" if host == "0.0.0.0" else host
    click.echo(f"Serving {index_dir} on http://{shown}:{port}/{' (staff: internal documents shown)' if token else ''} "
               f"with {workers} worker{'s' if workers > 1 else ''}; Ctrl+C stops.")
    options = {"host": host, "port": port, "log_level": "info" if verbose else "warning", "access_log": verbose,
               "http": "search.web:NoDelayHTTP"}  # TCP_NODELAY: see NoDelayHTTP
    if workers == 1:
        uvicorn.run(app, **options)
        return
    # Several processes need an importable factory; they read their settings from the environment.
    for name, value in (("ARCHIVE_WEB_INDEX", index_dir), ("ARCHIVE_WEB_GLOSSARY", glossary), ("ARCHIVE_WEB_PROJECTS", projects_file)):
        if value:
            os.environ[name] = str(os.path.abspath(value))
        else:
            os.environ.pop(name, None)
    for name, value in (("ARCHIVE_ORGANISATION", organisation), ("ARCHIVE_PUBLIC_URL", public_url)):
        if value:
            os.environ[name] = value
    os.environ["ARCHIVE_WEB_STAFF"] = "1" if token else "0"
    os.environ["ARCHIVE_WEB_MAX_IN_FLIGHT"] = str(max_in_flight)
    os.environ["ARCHIVE_WEB_QUEUE_WAIT"] = str(queue_wait)
    del app
    uvicorn.run("search.web:app_from_environment", factory=True, workers=workers, **options)


if __name__ == "__main__":
    main()
