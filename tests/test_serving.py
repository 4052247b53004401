"""Serving on one machine: worker processes, overload (503 + Retry-After), HTTP caching (ETag, 304,
Cache-Control) and the work done per request. Real servers over loopback, real temporary indexes."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_web_api import STAFF_TOKEN, LiveServer, build_index, free_port  # noqa: E402  (shared real-server helpers)

ROOT = Path(__file__).resolve().parents[1]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@pytest.fixture(scope="module")
def web_index(tmp_path_factory) -> dict:
    return build_index(tmp_path_factory.mktemp("serving"))


@pytest.fixture(scope="module")
def server(web_index):
    from search.web import create_app

    live = LiveServer(create_app(web_index["index_dir"])).start()
    yield live
    live.stop()


@pytest.fixture()
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def public_ids(http) -> list[str]:
    return [hit["id"] for hit in http.get("/api/search", params={"per_page": 100}).json()["hits"]]


# --- worker processes -----------------------------------------------------------------------


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def is_worker(pid: int) -> bool:
    try:
        command = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"multiprocessing" in command and b"resource_tracker" not in command


def keep_alive_median(port: int, path: str, count: int) -> float:
    """Median seconds per request of ``count`` requests, one after the other, on one connection."""
    took = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        reader = sock.makefile("rb")
        for _ in range(count):
            started = time.perf_counter()
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            reader.read(length)
            took.append(time.perf_counter() - started)
    return sorted(took)[len(took) // 2]


@pytest.mark.skipif(cores() < 2 or not Path("/proc").is_dir(), reason="needs two cores and /proc")
def test_serve_runs_one_worker_per_core_by_default(web_index):
    port = free_port()
    command = [sys.executable, "-c", "import sys; from search.cli import main; sys.exit(main())",
               "serve", "--index", str(web_index["index_dir"]), "--port", str(port)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("ARCHIVE_STAFF_TOKEN", None)
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline:
            assert child.poll() is None, child.stdout.read()
            workers = [pid for pid in children(child.pid) if is_worker(pid)]
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": "ECPAT"}, timeout=5)
            except httpx.TransportError:
                answered = None
            if answered is not None and answered.status_code == 200 and len(workers) >= cores():
                break
            time.sleep(0.2)
        assert len(workers) == cores(), f"{len(workers)} worker processes for {cores()} cores"
        assert answered is not None and answered.json()["total"] >= 2
        # Keep-alive requests are not held back by Nagle's algorithm (about 40 ms each when it is on).
        assert keep_alive_median(port, "/static/style.css", 15) < 0.025
    finally:
        child.terminate()
        child.wait(timeout=20)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and is_worker(pid)]  # no worker left behind


def test_serve_help_says_the_defaults():
    from click.testing import CliRunner

    from search.cli import main

    text = " ".join(CliRunner().invoke(main, ["serve", "--help"]).output.split())
    assert "Default: the number of cores" in text
    assert "--max-in-flight" in text and "--queue-wait" in text and "503" in text


# --- overload -----------------------------------------------------------------------------


async def _storm(url: str, clients: int, path: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=clients)) as http:
        return await asyncio.gather(*(http.get(path) for _ in range(clients)))


def test_overload_is_answered_503_with_retry_after_then_service_resumes(web_index):
    from search.web import create_app

    # One request at a time, a tenth of a second in the queue at most: 40 slow pages at once overflow it.
    live = LiveServer(create_app(web_index["index_dir"], max_in_flight=1, queue_wait=0.1)).start()
    try:
        slow = "/?per_page=100&sort=date"  # every document, drawn with its snippet and facets
        responses = asyncio.run(_storm(live.url, 40, slow))
        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {200, 503}, statuses  # never another 5xx
        busy = [r for r in responses if r.status_code == 503]
        assert busy and statuses.count(200) >= 1
        assert all(r.headers.get("retry-after", "").isdigit() for r in busy)
        assert all(r.headers.get("cache-control") == "no-store" for r in busy)
        # The API says so in JSON.
        api = asyncio.run(_storm(live.url, 40, "/api/search?per_page=100&sort=date"))
        api_busy = [r for r in api if r.status_code == 503]
        assert {r.status_code for r in api} <= {200, 503}
        assert api_busy and all(r.json()["detail"] and r.headers["retry-after"] for r in api_busy)
        # Static files are never queued.
        with httpx.Client(base_url=live.url, timeout=30) as http:
            assert http.get("/static/style.css").status_code == 200
            # Afterwards: normal service.
            for _ in range(5):
                assert http.get(slow).status_code == 200
            assert http.get("/api/search", params={"q": "ECPAT"}).json()["total"] >= 2
    finally:
        live.stop()


# --- HTTP caching ----------------------------------------------------------------------------


def test_search_page_has_an_etag_and_answers_304(http):
    first = http.get("/", params={"q": "traite"})
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag
    assert "no-cache" in first.headers["cache-control"] and "private" not in first.headers["cache-control"]
    again = http.get("/", params={"q": "traite"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert http.get("/", params={"q": "traite"}, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    # Another query, page, or interface language: another ETag.
    assert http.get("/", params={"q": "enfants"}).headers["etag"] != etag
    assert http.get("/", params={"q": "traite", "page": "2"}).headers["etag"] != etag
    nl = http.get("/", params={"q": "traite"}, headers={"Accept-Language": "nl"})
    assert nl.headers["etag"] != etag
    assert http.get("/", params={"q": "traite"}, headers={"If-None-Match": etag, "Accept-Language": "nl"}).status_code == 200


def test_documents_stats_and_api_have_etags(http):
    doc_id = public_ids(http)[0]
    for path in (f"/documents/{doc_id}", f"/api/documents/{doc_id}", f"/api/documents/{doc_id}/similar",
                 "/api/search?q=ECPAT", "/stats", "/api/stats"):
        first = http.get(path)
        assert first.status_code == 200 and first.headers.get("etag"), path
        assert http.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304, path
    # Errors are not tagged.
    missing = http.get("/api/documents/nosuchdocument")
    assert missing.status_code == 404 and "etag" not in missing.headers


def test_etag_changes_when_the_index_changes(tmp_path):
    from indexer.sync import sync
    from search.web import create_app

    info = build_index(tmp_path)
    live = LiveServer(create_app(info["index_dir"])).start()
    try:
        with httpx.Client(base_url=live.url, timeout=30) as http:
            before = http.get("/", params={"q": "ECPAT"})
            etag = before.headers["etag"]
            assert http.get("/", params={"q": "ECPAT"}, headers={"If-None-Match": etag}).status_code == 304
            (info["folder"] / "new_note.md").write_text(textwrap.dedent("""
                ---
                title: Nouvelle note ECPAT
                date: 2022-01-10
                ---
                ECPAT publie une nouvelle note sur la protection des enfants en ligne.
                """), encoding="utf-8")
            sync([info["folder"]], info["index_dir"])
            deadline = time.monotonic() + 10
            while True:  # the engine looks for a new generation about once a second
                after = http.get("/", params={"q": "ECPAT"}, headers={"If-None-Match": etag})
                if after.status_code == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            assert after.status_code == 200 and after.headers["etag"] != etag
            assert "Nouvelle note ECPAT" in after.text
    finally:
        live.stop()


def test_static_files_are_versioned_and_cached_long(http):
    page = http.get("/").text
    css = re.search(r'href="(/static/style\.css\?v=[0-9a-f]+)"', page)
    assert css, "the stylesheet's URL carries a version"
    cached = http.get(css.group(1))
    assert cached.status_code == 200 and "max-age=31536000" in cached.headers["cache-control"]
    assert "immutable" in cached.headers["cache-control"]
    assert "max-age" in http.get("/static/style.css").headers["cache-control"]


def test_staff_responses_are_private_and_never_stored(web_index):
    from search.web import create_app

    live = LiveServer(create_app(web_index["index_dir"], STAFF_TOKEN)).start()
    try:
        with httpx.Client(base_url=live.url, timeout=30, headers={"Authorization": f"Bearer {STAFF_TOKEN}"}) as http:
            doc_id = http.get("/api/search", params={"q": web_index.get("marker", "ECPAT")}).json()["hits"][0]["id"]
            for path in ("/?q=ECPAT", "/api/search?q=ECPAT", f"/documents/{doc_id}", f"/api/documents/{doc_id}",
                         "/stats", "/api/stats", f"/documents/{doc_id}/file"):
                response = http.get(path)
                control = response.headers.get("cache-control", "")
                assert "private" in control and "no-store" in control, (path, control)
            # The public site's ETag for the same request is not the staff one.
            public = LiveServer(create_app(web_index["index_dir"])).start()
            try:
                assert httpx.get(public.url + "/?q=ECPAT").headers["etag"] != http.get("/?q=ECPAT").headers["etag"]
            finally:
                public.stop()
    finally:
        live.stop()


# --- work per request -------------------------------------------------------------------------


def counting_engine(index_dir: Path):
    """The real Whoosh engine, counting how often a document's passages are read (calls inside the engine too)."""
    from indexer.whoosh.engine import WhooshEngine

    class Counting(WhooshEngine):
        reads = 0

        def document(self, *args, **kwargs):
            type(self).reads += 1
            return super().document(*args, **kwargs)

    return Counting(index_dir)


def test_a_document_is_read_once_per_request(web_index):
    from search.web import create_app

    app = create_app(web_index["index_dir"])
    engine = counting_engine(web_index["index_dir"])
    app.state.site.engine = engine
    live = LiveServer(app).start()
    try:
        with httpx.Client(base_url=live.url, timeout=30) as http:
            doc_id = public_ids(http)[0]
            for path, reads in ((f"/documents/{doc_id}?q=ECPAT", 1), (f"/api/documents/{doc_id}/similar", 1),
                                (f"/api/documents/{doc_id}", 1), (f"/documents/{doc_id}/file", 0)):
                type(engine).reads = 0
                response = http.get(path)
                assert response.status_code == 200, path
                assert type(engine).reads == reads, (path, type(engine).reads)
            # The similar documents are the same as when the engine reads the document itself.
            view = engine.document(doc_id)
            assert [h.id for h in engine.similar(doc_id, 5, document=view)] == [h.id for h in engine.similar(doc_id, 5)]
    finally:
        live.stop()
        engine.close()


def test_the_file_route_keeps_internal_files_hidden(http, web_index):
    assert http.get(f"/documents/{web_index['internal_id']}/file").status_code == 404
    doc_id = public_ids(http)[0]
    from indexer.whoosh.engine import WhooshEngine

    engine = WhooshEngine(web_index["index_dir"])
    try:
        path, fmt = engine.source(doc_id)
        assert Path(path).is_file() and fmt
        assert engine.source(web_index["internal_id"]) is None
        assert engine.source(web_index["internal_id"], include_internal=True) is not None
        assert engine.source("nosuchdocument") is None
    finally:
        engine.close()
