"""Serving on one machine: `archive serve` with its defaults under keep-alive clients, against an FTS5 floor.

    python bench/serving.py --index /tmp/serve-corpus --index /tmp/serve-2000 [--seconds 20] [--root DIR] [--json OUT]

For each index: the search page (``/?q=...``) with 8 keep-alive clients for
``--seconds``; for the first index also 50 clients; then ``/stats`` alone (one
client, sequential). Each load also runs against a minimal Starlette app answering
the same kind of page from SQLite FTS5 over the same passages (any word, best
passage per document, facet counts, snippets; started with uvicorn with as many
workers as ``archive serve`` uses by default): the floor of "a Python web app over
a C engine", given as the ratio archive / floor.

The requests are distinct: words and pairs of words drawn from the index's own
vocabulary, a quarter with a filter (language or type), a sixth on page 2; each
client walks its own shuffled share, so no two requests of a run are the same
(no response cache can flatter the figures). The clients are a small raw HTTP/1.1
keep-alive client on asyncio (lighter than httpx: on two cores the load generator
shares the CPU with the server it measures).

``--root DIR`` serves from another checkout (for "before" figures:
``git worktree add /tmp/before-serving COMMIT``; the same Python runs it with
``PYTHONPATH=DIR``). Given several times (``--root /tmp/before --root .``), each
load runs on each checkout in turn, ``--rounds`` times (before, after, before,
after...), and the run ends with the medians side by side and their ratios: on a
shared machine, figures taken minutes apart differ more than the code does.
An error is a refused or cut connection, a time-out (30 s) or a status other
than 200 (503s are counted and listed apart).

Besides latency and requests/s, each load gives the server's CPU time per request
(user + system of all its processes, read from /proc, over the measured seconds:
what the code costs, less disturbed than latency by other jobs on the machine).

With ``ARCHIVE_ENGINE=opensearch`` (and its settings) in the environment, the servers
search OpenSearch; ``--paths-from`` then names a Whoosh index of the same documents to
draw the requests from (the same requests as a Whoosh run), and the server CPU is the
archive's processes only, not the cluster's.

``--profile N`` instead renders N search pages in process (no HTTP, one thread,
with the same paths) and prints where the CPU goes: the engine's search and its
snippets, the facet links, the template, then cProfile's top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORD = re.compile(r"[^\W\d_]{4,}")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, child: subprocess.Popen, path: str = "/static/style.css", seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if child.poll() is not None:
            raise SystemExit(f"the server exited with status {child.returncode}")
        try:
            status, _ = asyncio.run(_one(port, path))
            if status:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server did not start within {seconds:g} s")
        time.sleep(0.2)


async def _one(port: int, path: str) -> tuple[int, float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return await request(reader, writer, path)
    finally:
        writer.close()


@contextmanager
def server(command: list[str], port: int, env: dict, cwd: Path, ready: str = "/static/style.css"):
    child = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
    try:
        wait_until_up(port, child, ready)
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def archive_server(index: Path, root: Path):
    port = free_port()
    command = [sys.executable, "-c", "import sys; from search.cli import main; sys.exit(main())",
               "serve", "--index", str(index), "--port", str(port)]
    env = dict(os.environ, PYTHONPATH=str(root))
    env.pop("ARCHIVE_STAFF_TOKEN", None)
    return server(command, port, env, root), port


def floor_server(db: Path, workers: int):
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "serving:fts5_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log",
               "--http", "serving:nodelay_protocol"]
    env = dict(os.environ, PYTHONPATH=str(HERE), SERVING_FTS5_DB=str(db))
    return server(command, port, env, HERE, ready="/ping"), port


# --- a light HTTP/1.1 keep-alive client --------------------------------------------------


async def request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: fr\r\n\r\n".encode("latin-1"))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, time.perf_counter() - started


async def client(port: int, paths: list[str], deadline: float, results: list) -> None:
    reader = writer = None
    for path in paths:
        if time.monotonic() >= deadline:
            break
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            status, took = await asyncio.wait_for(request(reader, writer, path), 30)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError, IndexError) as exc:
            status, took = type(exc).__name__, time.perf_counter() - started
            if writer is not None:
                writer.close()
            reader = writer = None
        results.append((took, status))
    if writer is not None:
        writer.close()


def load(port: int, targets: list[str], clients: int, seconds: float, seed: int, warmup: float = 2.0,
         session: int | None = None) -> dict:
    rng = random.Random(seed)
    paths = targets[:]
    rng.shuffle(paths)
    # Warm-up on its own share (the measured requests stay distinct), then the measured run.
    warm, paths = paths[: clients * 20], paths[clients * 20:]
    shares = [paths[i::clients] for i in range(clients)]

    async def run(deadline_in: float, lists: list[list[str]], results: list) -> None:
        deadline = time.monotonic() + deadline_in
        await asyncio.gather(*(client(port, share, deadline, results) for share in lists))

    asyncio.run(run(warmup, [warm[i::clients] for i in range(clients)], []))
    results: list = []
    cpu = tree_cpu(session) if session else 0.0
    started = time.monotonic()
    asyncio.run(run(seconds, shares, results))
    elapsed = time.monotonic() - started
    out = summarise(results, elapsed, clients)
    if session and results:
        out["cpu_ms_per_request"] = round((tree_cpu(session) - cpu) / len(results) * 1000, 2)
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def tree_cpu(session: int) -> float:
    """CPU seconds (user + system) used so far by the processes of ``session`` (the server and its workers)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # from field 3 (state) on
        if int(fields[3]) == session:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def summarise(results: list, seconds: float, clients: int) -> dict:
    ok = [took for took, status in results if status == 200]
    statuses = Counter(str(status) for _, status in results if status != 200)
    return {
        "clients": clients, "requests": len(results), "requests_per_second": round(len(results) / seconds, 1),
        "p50_ms": round(percentile(ok, 0.50) * 1000, 1), "p95_ms": round(percentile(ok, 0.95) * 1000, 1),
        "p99_ms": round(percentile(ok, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(ok) * 1000, 1) if ok else 0.0,
        "errors": sum(statuses.values()), "statuses": dict(statuses),
    }


def sequential(port: int, path: str, count: int) -> dict:
    async def run() -> list:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        out = []
        for _ in range(count):
            out.append(await request(reader, writer, path))
        writer.close()
        return out

    results = asyncio.run(run())
    took = [t for _, t in results]
    return {"requests": count, "p50_ms": round(percentile(took, 0.5) * 1000, 1),
            "p95_ms": round(percentile(took, 0.95) * 1000, 1),
            "errors": sum(1 for s, _ in results if s != 200)}


# --- the requests ------------------------------------------------------------------------


def passages(index: Path) -> list[tuple]:
    """(doc_id, page, plang, year, type, projects, text) of every stored passage (read once with Whoosh)."""
    sys.path.insert(0, str(HERE))
    from bench_fts5 import passages_of
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index / "whoosh"), indexname="passages")
    with ix.searcher() as searcher:
        return passages_of(searcher)


def targets(rows: list[tuple], count: int = 12000, seed: int = 0) -> list[str]:
    """Distinct search-page paths: words, pairs, a filter, page 2; words from the passages, by frequency."""
    rng = random.Random(seed)
    freq: Counter = Counter()
    for row in rows:
        freq.update(w.lower() for w in WORD.findall(row[6]))
    vocabulary = [w for w, n in freq.most_common(4000) if n >= 2]
    filters = [{"lang": "fr"}, {"lang": "nl"}, {"lang": "en"}, {"type": "report"}, {"type": "article"}]
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count and len(seen) < count * 3:
        words = rng.sample(vocabulary, 2 if rng.random() < 0.45 else 1)
        params = {"q": " ".join(words)}
        roll = rng.random()
        if roll < 0.25:
            params.update(rng.choice(filters))
        elif roll < 0.42:
            params["page"] = "2"
        path = "/?" + urlencode(params)
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


# --- the floor: Starlette + SQLite FTS5 ---------------------------------------------------


def build_fts5(rows: list[tuple], path: Path) -> None:
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE passages USING fts5(doc_id UNINDEXED, page UNINDEXED, plang UNINDEXED, "
               "year UNINDEXED, type UNINDEXED, projects UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("INSERT INTO passages(passages) VALUES ('optimize')")
    db.commit()
    db.close()


def fts5_app():
    """The floor app (``uvicorn serving:fts5_app --factory``): the search page from FTS5, one connection per thread."""
    import threading

    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, PlainTextResponse
    from starlette.routing import Route

    path = os.environ["SERVING_FTS5_DB"]
    local = threading.local()

    def connection() -> sqlite3.Connection:
        db = getattr(local, "db", None)
        if db is None:
            db = local.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return db

    def page(request) -> HTMLResponse:
        params = parse_qs(urlsplit(str(request.url)).query)
        words = [w for w in params.get("q", [""])[0].split() if w]
        number = int(params.get("page", ["1"])[0])
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'
        where, args = "passages MATCH ?", [match]
        if "lang" in params:
            where, args = where + " AND plang = ?", args + [params["lang"][0]]
        if "type" in params:
            where, args = where + " AND type = ?", args + [params["type"][0]]
        db = connection()
        rows = db.execute(f"SELECT doc_id, year, type, plang, bm25(passages) FROM passages WHERE {where}", args).fetchall()
        best: dict = {}
        facets = {"year": Counter(), "type": Counter(), "lang": Counter()}
        for doc, year, kind, lang, score in rows:
            if doc not in best:
                facets["year"][year] += 1
                facets["type"][kind] += 1
            best[doc] = min(score, best.get(doc, score))
        for doc, lang in {(r[0], r[3]) for r in rows}:
            facets["lang"][lang] += 1
        docs = best
        top = sorted(best.items(), key=lambda kv: kv[1])[(number - 1) * 10: number * 10]
        hits = []
        for doc, _score in top:
            found = db.execute(f"SELECT snippet(passages, 6, '<mark>', '</mark>', '…', 24), page FROM passages "
                               f"WHERE {where} AND doc_id = ? ORDER BY bm25(passages) LIMIT 1", args + [doc]).fetchone()
            hits.append(f"<li><a href='/documents/{html.escape(doc)}'>{html.escape(doc)}</a> p. {found[1]}"
                        f"<p>{found[0]}</p></li>")
        side = "".join(f"<h3>{name}</h3><ul>" + "".join(f"<li>{html.escape(str(v))} ({n})</li>" for v, n in c.most_common(8))
                       + "</ul>" for name, c in facets.items())
        body = (f"<!doctype html><title>{html.escape(' '.join(words))}</title><form><input name=q value='"
                f"{html.escape(' '.join(words))}'></form><p>{len(docs)} documents</p><aside>{side}</aside>"
                f"<ol>{''.join(hits)}</ol>")
        return HTMLResponse(body)

    def ping(request):
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/", page), Route("/ping", ping)])


def _nodelay():
    """uvicorn's HTTP protocol with TCP_NODELAY, as `archive serve` uses (search.web.NoDelayHTTP): with
    --workers, uvicorn's own listening socket leaves Nagle's algorithm on (40 ms per keep-alive request)."""
    try:
        from uvicorn.protocols.http.auto import AutoHTTPProtocol
    except ImportError:
        return None

    class NoDelay(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
        def connection_made(self, transport) -> None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().connection_made(transport)

    return NoDelay


nodelay_protocol = _nodelay()


# --- the run --------------------------------------------------------------------------------


def profile(index: Path, count: int) -> None:
    """Where a search page's CPU goes, in this process: stages timed with the thread's CPU clock, then cProfile."""
    import cProfile
    import pstats
    from urllib.parse import urlsplit

    from starlette.requests import Request

    import indexer.whoosh.engine as whoosh_engine
    import search.web_pages as web_pages
    from search.web import Site, create_app

    app = create_app(index)
    spent: Counter = Counter()

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.thread_time() - started
        return wrapper

    order = ["engine search (with its snippets)", "  of which snippets (make_snippet)",
             "facet links and labels (facet_view)", "template (Site.render)"]
    originals = [(Site, "search"), (whoosh_engine, "make_snippet"), (web_pages, "facet_view"), (Site, "render")]
    saved = [getattr(owner, name) for owner, name in originals]
    for (owner, name), function, label in zip(originals, saved, order):
        setattr(owner, name, timed(label, function))

    def request(path: str) -> Request:
        url = urlsplit(path)
        return Request({"type": "http", "method": "GET", "path": url.path, "query_string": url.query.encode(),
                        "headers": [(b"accept-language", b"fr"), (b"host", b"127.0.0.1")], "app": app,
                        "root_path": "", "scheme": "http", "server": ("127.0.0.1", 80)})

    paths = targets(passages(index), count + 50)
    for path in paths[:50]:  # warm: caches of masks, postings, the analysers' memo
        web_pages.search_page(request(path))
    spent.clear()
    pages = [request(path) for path in paths[50:50 + count]]
    started = time.thread_time()
    for page in pages:
        web_pages.search_page(page)
    total = time.thread_time() - started
    print(f"{index.name}: {len(pages)} search pages, {total / len(pages) * 1000:.2f} ms CPU per page "
          f"(load {os.getloadavg()[0]:.2f})")
    for name, seconds in sorted(spent.items(), key=lambda item: order.index(item[0])):
        print(f"  {name:<40} {seconds / len(pages) * 1000:6.2f} ms  {seconds / total:5.0%}")
    for (owner, name), function in zip(originals, saved):  # the stage clocks would blur the profile
        setattr(owner, name, function)
    profiler = cProfile.Profile()
    profiler.enable()
    for page in pages:
        web_pages.search_page(page)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, action="append", required=True, help="Index folder (repeatable).")
    parser.add_argument("--root", type=Path, action="append",
                        help="Checkout whose `archive serve` is measured (repeatable: compared in one run).")
    parser.add_argument("--rounds", type=int, default=1, help="With several --root: times each load runs on each.")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--many", type=int, default=50, help="Clients of the heavy load (first index only).")
    parser.add_argument("--no-floor", action="store_true", help="Skip the FTS5 floor.")
    parser.add_argument("--paths-from", type=Path, action="append",
                        help="A Whoosh index of the same documents to draw the requests (and the floor's passages) "
                             "from, one per --index, for an index of another engine (ARCHIVE_ENGINE=opensearch).")
    parser.add_argument("--no-stats", action="store_true", help="Skip /stats.")
    parser.add_argument("--profile", type=int, metavar="N", help="Profile N search pages in process instead (see above).")
    parser.add_argument("--json", type=Path, help="Also write the figures there.")
    args = parser.parse_args()
    if args.profile:
        for index in args.index:
            profile(index, args.profile)
        return
    roots = [root.resolve() for root in (args.root or [ROOT])]

    def commit_of(root: Path) -> str:
        """The checkout's folder and commit, marked when its files differ from the commit."""
        def git(*words: str) -> str:
            return subprocess.run(["git", "-C", str(root), *words], capture_output=True, text=True).stdout.strip()
        changed = git("status", "--porcelain", "--untracked-files=no")
        return f"{root.name}@{git('rev-parse', '--short', 'HEAD')}" + ("+changes" if changed else "")

    report: dict = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="minutes"),
                    "roots": {str(root): commit_of(root) for root in roots}, "cores": cores(),
                    "load_before": os.getloadavg(), "runs": []}

    def show(row: dict) -> None:
        print(f"{row['what']:<44} {row['clients']:>3} clients: p50 {row['p50_ms']:>7} ms  p95 {row['p95_ms']:>7} ms  "
              f"{row['requests_per_second']:>6} req/s  CPU {row.get('cpu_ms_per_request', '-'):>6} ms/req  "
              f"errors {row['errors']} {row['statuses'] or ''}  (load {row['load'][0]:.2f})", flush=True)

    sources = args.paths_from or args.index
    if len(sources) != len(args.index):
        parser.error("give one --paths-from per --index")
    for n, (index, source) in enumerate(zip(args.index, sources)):
        rows = passages(source)
        paths = targets(rows)
        documents = len({r[0] for r in rows})
        loads = [8] + ([args.many] if n == 0 and args.many else [])
        for round_ in range(args.rounds if len(roots) > 1 else 1):
            for root in roots:
                label = f"archive {index.name} ({documents} docs)" + (f" @{commit_of(root)}" if len(roots) > 1 else "")
                context, port = archive_server(index, root)
                with context as child:
                    for clients in loads:
                        row = {"what": label, "index": str(index), "documents": documents, "server": "archive",
                               "root": str(root), "round": round_,
                               **load(port, paths, clients, args.seconds, seed=clients, session=child.pid)}
                        row["load"] = os.getloadavg()
                        report["runs"].append(row)
                        show(row)
                    if args.no_stats or round_:
                        continue
                    stats = sequential(port, "/stats", 50)
                    report["runs"].append({"what": f"archive {index.name} /stats", "index": str(index),
                                           "server": "archive", "root": str(root), "stats": stats})
                    print(f"{'archive ' + index.name + ' /stats':<44}   1 client : p50 {stats['p50_ms']:>7} ms  p95 "
                          f"{stats['p95_ms']:>7} ms  errors {stats['errors']}", flush=True)
        if args.no_floor:
            continue
        db = Path(f"/tmp/serving-fts5-{index.name}.sqlite")
        build_fts5(rows, db)
        context, port = floor_server(db, cores())
        with context as child:
            for clients in loads:
                row = {"what": f"FTS5 floor {index.name}", "index": str(index), "documents": documents, "server": "fts5",
                       **load(port, paths, clients, args.seconds, seed=clients, session=child.pid)}
                row["load"] = os.getloadavg()
                report["runs"].append(row)
                show(row)
    report["load_after"] = os.getloadavg()
    compare(report, roots)
    print("load average before %.2f %.2f %.2f, after %.2f %.2f %.2f" % (*report["load_before"], *report["load_after"]))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


def compare(report: dict, roots: list[Path]) -> None:
    """Medians per checkout side by side (the last against the first), then each against the floor."""
    measured = [r for r in report["runs"] if r.get("server") == "archive" and "p95_ms" in r]
    keys = list(dict.fromkeys((r["index"], r["clients"]) for r in measured))
    figures = ("p50_ms", "p95_ms", "requests_per_second", "cpu_ms_per_request")
    medians: dict = {}
    for index, clients in keys:
        for root in roots:
            rows = [r for r in measured if (r["index"], r["clients"], r["root"]) == (index, clients, str(root))]
            medians[(index, clients, str(root))] = {f: statistics.median(r[f] for r in rows) for f in figures
                                                   if rows and all(f in r for r in rows)}
    report["medians"] = [{"index": i, "clients": c, "root": root, **m} for (i, c, root), m in medians.items()]
    if len(roots) > 1:
        first, last = str(roots[0]), str(roots[-1])
        print(f"\nmedians, {report['roots'][last]} against {report['roots'][first]} (ratio last / first):")
        for index, clients in keys:
            a, b = medians[(index, clients, first)], medians[(index, clients, last)]
            cells = "  ".join(f"{f} {a.get(f, '-')} -> {b.get(f, '-')} (x{b[f] / a[f]:.2f})" if a.get(f) and b.get(f)
                              else f"{f} -" for f in figures)
            print(f"  {Path(index).name} {clients} clients: {cells}")
    for row in measured:
        floor = next((r for r in report["runs"] if r.get("server") == "fts5" and r["index"] == row["index"]
                      and r["clients"] == row["clients"]), None)
        if floor and floor["p95_ms"]:
            row["p95_vs_floor"] = round(row["p95_ms"] / floor["p95_ms"], 1)
            row["rps_vs_floor"] = round(row["requests_per_second"] / floor["requests_per_second"], 2)
            print(f"{row['what']} {row['clients']} clients: p95 x{row['p95_vs_floor']} the floor, "
                  f"throughput x{row['rps_vs_floor']}")


if __name__ == "__main__":
    main()
