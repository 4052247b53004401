"""A real 3-node OpenSearch cluster from scripts/opensearch-cluster: start, analyse, index,
search, lose a node, keep answering, take it back, stop.

Skipped (with the reason) when java or mvn is missing or the node launcher does not build
(e.g. Maven Central unreachable and nothing in ~/.m2). Takes about a minute once built.
"""

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "opensearch-cluster"
NODES = 3


def run(*args, timeout=400, check=True):
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"opensearch-cluster {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stderr[-6000:]}")
    return proc


def free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_base_port():
    """A base port P with P..P+2 and P+100..P+102 free on loopback."""
    for _ in range(50):
        base = random.randrange(21000, 39000)
        if all(free(base + k) and free(base + 100 + k) for k in range(NODES)):
            return base
    pytest.skip("no free loopback ports for a test cluster")


def request(method, url, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as e:
        raise AssertionError(f"{method} {url} -> {e.code}: {e.read().decode()[:2000]}") from None


def health(url, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    try:
        return request("GET", f"{url}/_cluster/health?{query}", timeout=40)
    except AssertionError as e:  # 408 when wait_for_* timed out
        return {"error": str(e)}


def wait_health(url, status, nodes, timeout=90):
    deadline = time.monotonic() + timeout
    while True:
        answer = health(url, wait_for_status=status, wait_for_nodes=nodes, timeout="5s")
        if answer.get("status") == status and answer.get("number_of_nodes") == nodes:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"no {status} cluster of {nodes} nodes at {url}: {answer}")
        time.sleep(1)


def tokens(url, analyzer, text):
    answer = request("POST", f"{url}/docs/_analyze", {"analyzer": analyzer, "text": text})
    return [t["token"] for t in answer["tokens"]]


def hit_ids(url, field, query):
    answer = request("POST", f"{url}/docs/_search", {"query": {"match": {field: query}}})
    assert answer["_shards"]["failed"] == 0, answer["_shards"]
    return sorted(h["_id"] for h in answer["hits"]["hits"])


INDEX = {
    "settings": {
        "number_of_shards": 1,
        "number_of_replicas": 1,
        # keep the lost replica unassigned (yellow) until the node comes back
        "index.unassigned.node_left.delayed_timeout": "5m",
        "analysis": {
            "filter": {
                "fr_elision": {"type": "elision", "articles_case": True,
                               "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c",
                                            "jusqu", "quoiqu", "lorsqu", "puisqu"]},
                "fr_stop": {"type": "stop", "stopwords": "_french_"},
                "fr_stemmer": {"type": "stemmer", "language": "light_french"},
                "nl_stop": {"type": "stop", "stopwords": "_dutch_"},
                "nl_stemmer": {"type": "stemmer", "language": "dutch"},
                "en_stop": {"type": "stop", "stopwords": "_english_"},
                "en_stemmer": {"type": "stemmer", "language": "english"},
            },
            "analyzer": {
                "fr": {"tokenizer": "standard",
                       "filter": ["fr_elision", "lowercase", "fr_stop", "asciifolding", "fr_stemmer"]},
                "nl": {"tokenizer": "standard",
                       "filter": ["lowercase", "nl_stop", "asciifolding", "nl_stemmer"]},
                "en": {"tokenizer": "standard",
                       "filter": ["lowercase", "en_stop", "asciifolding", "en_stemmer"]},
            },
        },
    },
    "mappings": {"properties": {
        "title": {"type": "search_as_you_type"},   # mapper-extras
        "text_fr": {"type": "text", "analyzer": "fr"},
        "text_nl": {"type": "text", "analyzer": "nl"},
        "text_en": {"type": "text", "analyzer": "en"},
        "year": {"type": "integer"},
    }},
}

DOCS = {
    "fr": {"title": "Rapport d'activités 2019", "year": 2019,
           "text_fr": "L'exploitation sexuelle des enfants et les événements de l'année"},
    "nl": {"title": "Jaarverslag 2020", "year": 2020,
           "text_nl": "De slachtoffers van mensenhandel en kinderhandel"},
    "en": {"title": "Annual report 2021", "year": 2021,
           "text_en": "Children trafficked across borders and the organisations helping them"},
}


@pytest.fixture(scope="module")
def launcher():
    if not (os.environ.get("JAVA") or shutil.which("java")):
        pytest.skip("java not found (install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless)")
    if not (os.environ.get("MVN") or shutil.which("mvn")):
        pytest.skip("mvn not found (apt-get install maven)")
    try:
        proc = run("build", timeout=900, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("building the OpenSearch node launcher took over 15 minutes")
    if proc.returncode != 0:
        pytest.skip("the OpenSearch node launcher did not build (Maven Central unreachable and "
                    f"nothing in ~/.m2?): {proc.stderr.strip()[-1500:]}")
    return proc.stdout.strip()


@pytest.fixture
def data_dir():
    # Not tmp_path: on a machine shared with other pytest sessions, their clean-up of old
    # /tmp/pytest-of-USER/ directories could remove it under the running nodes.
    path = Path(tempfile.mkdtemp(prefix="archive-opensearch-test-"))
    yield path / "cluster"
    shutil.rmtree(path, ignore_errors=True)


def test_three_node_cluster_survives_losing_a_node(launcher, data_dir):
    data = data_dir
    base = free_base_port()
    started = time.monotonic()
    stop = None
    try:
        out = run("start", "--nodes", str(NODES), "--port", str(base), "--data", str(data),
                  "--heap", "512m", "--quick-start", "--timeout", "240").stdout.strip()
        urls = out.split(",")
        assert urls == [f"http://127.0.0.1:{base + k}" for k in range(NODES)]
        first = health(urls[0])
        assert first["status"] == "green" and first["number_of_nodes"] == NODES, first
        status = json.loads(run("status", "--data", str(data)).stdout)
        assert status["status"] == "green" and status["number_of_data_nodes"] == NODES

        # analysis-common is there: elision, stop words, ascii folding, stemmers by language
        request("PUT", f"{urls[0]}/docs", INDEX)
        fr = tokens(urls[1], "fr", "L'enfance des enfants et les événements")
        assert not any("'" in t or t in ("l", "des", "et", "les") for t in fr), fr
        assert fr[0].startswith("enfanc") and fr[1] == "enfant", fr
        assert all(t.isascii() for t in fr), fr
        assert tokens(urls[1], "nl", "De slachtoffers van mensenhandel") == ["slachtoffer", "mensenhandel"]
        assert tokens(urls[2], "en", "The trafficked children") == ["traffick", "children"]

        for doc_id, doc in DOCS.items():
            request("PUT", f"{urls[0]}/docs/_doc/{doc_id}?refresh=true", doc)
        wait_health(urls[0], "green", NODES)

        def searches_answer(url):
            assert hit_ids(url, "text_fr", "enfant evenement") == ["fr"]
            assert hit_ids(url, "text_nl", "slachtoffer") == ["nl"]
            assert hit_ids(url, "text_en", "trafficking") == ["en"]
            sayt = request("POST", f"{url}/docs/_search", {"query": {"multi_match": {
                "query": "rapport activ", "type": "bool_prefix",
                "fields": ["title", "title._2gram", "title._3gram"]}}})
            assert [h["_id"] for h in sayt["hits"]["hits"]][:1] == ["fr"]

        for url in urls:
            searches_answer(url)

        # lose the node holding the primary: the replica takes over, the cluster goes yellow
        shards = request("GET", f"{urls[0]}/_cat/shards/docs?format=json")
        primary = next(s["node"] for s in shards if s["prirep"] == "p")
        victim = int(primary.rsplit("-", 1)[1])
        run("kill-node", str(victim), "--data", str(data))
        alive = [u for k, u in enumerate(urls) if k != victim]
        yellow = wait_health(alive[0], "yellow", NODES - 1)
        assert yellow["unassigned_shards"] == 1, yellow
        for url in alive:
            searches_answer(url)
        assert request("GET", f"{alive[1]}/docs/_count")["count"] == len(DOCS)
        # still writable
        request("PUT", f"{alive[1]}/docs/_doc/extra?refresh=true", {"text_en": "child protection"})

        # the node comes back, recovers its copy, the cluster is green again
        back = run("start-node", str(victim), "--data", str(data), "--wait-for-status", "green",
                   "--timeout", "180").stdout.strip()
        assert back == urls[victim]
        wait_health(urls[victim], "green", NODES)
        searches_answer(urls[victim])
        assert request("GET", f"{urls[victim]}/docs/_count?preference=_local")["count"] == len(DOCS) + 1
    finally:
        if (data / "cluster.json").exists():
            stop = run("stop", "--data", str(data), check=False, timeout=120)
    assert stop is not None and stop.returncode == 0 and "SIGKILL" not in stop.stderr, stop and stop.stderr
    pids = [p.read_text().strip() for p in data.glob("node-*.pid")]
    assert pids == [], f"pid files left: {pids}"
    for k in range(NODES):
        log = (data / f"node-{k}" / "logs" / f"node-{k}.log").read_text()
        last_stop = log.rfind("] stopping ...")
        assert last_stop >= 0 and "] closed" in log[last_stop:], \
            f"node-{k} did not close cleanly:\n{log[-3000:]}"
    assert time.monotonic() - started < 600
