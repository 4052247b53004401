"""Connecting to the cluster: settings from the environment, retries, clear errors.

    ARCHIVE_OPENSEARCH_URL        one or more node URLs, comma-separated (default http://127.0.0.1:9200)
    ARCHIVE_OPENSEARCH_USER / ARCHIVE_OPENSEARCH_PASSWORD   basic authentication, or
    ARCHIVE_OPENSEARCH_API_KEY    an API key (sent as "Authorization: ApiKey KEY")
    ARCHIVE_OPENSEARCH_VERIFY     TLS certificates are verified unless this is 0 (for test clusters only)
    ARCHIVE_OPENSEARCH_INDEX      the alias searched (default "archive"); each build is a concrete
                                  index ALIAS-vN-TIMESTAMP behind it
    ARCHIVE_OPENSEARCH_SHARDS     primary shards of a new index (default 1)
    ARCHIVE_OPENSEARCH_REPLICAS   replicas of a new index (default min(1, nodes - 1))
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from ..errors import EngineUnavailable, IndexProblem

#: Statuses retried with back-off (with_backoff), for reads and writes.
RETRY_STATUSES = (429, 502, 503, 504)
MAX_RETRIES = 3
BACKOFF = 0.5  # seconds, doubled at each retry


@dataclass(frozen=True)
class Settings:
    urls: tuple[str, ...]
    user: str | None
    password: str | None
    api_key: str | None
    verify: bool
    alias: str
    shards: int | None
    replicas: int | None
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env=None) -> "Settings":
        env = os.environ if env is None else env
        urls = tuple(u.strip().rstrip("/") for u in env.get("ARCHIVE_OPENSEARCH_URL", "http://127.0.0.1:9200").split(",") if u.strip())
        if not urls:
            raise EngineUnavailable("ARCHIVE_OPENSEARCH_URL names no node")

        def number(name):
            value = env.get(name, "").strip()
            if not value:
                return None
            if not value.isdigit():
                raise EngineUnavailable(f"{name}={value!r} is not a whole number")
            return int(value)

        alias = env.get("ARCHIVE_OPENSEARCH_INDEX", "archive").strip().lower() or "archive"
        return cls(urls, env.get("ARCHIVE_OPENSEARCH_USER") or None, env.get("ARCHIVE_OPENSEARCH_PASSWORD") or None,
                   env.get("ARCHIVE_OPENSEARCH_API_KEY") or None,
                   env.get("ARCHIVE_OPENSEARCH_VERIFY", "1").strip().lower() not in ("0", "false", "no", "off"),
                   alias, number("ARCHIVE_OPENSEARCH_SHARDS"), number("ARCHIVE_OPENSEARCH_REPLICAS"))


def connect(settings: Settings):
    """An ``opensearchpy.OpenSearch`` client over every node named (imported here, lazily)."""
    try:
        from opensearchpy import OpenSearch
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EngineUnavailable("the OpenSearch engine needs opensearch-py: pip install -e . (it is a dependency)") from exc
    kwargs: dict = {
        "hosts": list(settings.urls),
        "verify_certs": settings.verify,
        "ssl_show_warn": settings.verify,
        # The client retries on another node only when a node cannot be reached or times out. It
        # would mark a node dead for each 429/503 too, and a red cluster answers 503 from every
        # node: all of them would be marked dead. Those statuses are retried by with_backoff.
        "retry_on_status": (),
        "max_retries": MAX_RETRIES,
        "retry_on_timeout": True,
        "timeout": settings.timeout,
    }
    if settings.api_key:
        kwargs["headers"] = {"Authorization": f"ApiKey {settings.api_key}"}
    elif settings.user:
        kwargs["http_auth"] = (settings.user, settings.password or "")
    return OpenSearch(**kwargs)


def unavailable(settings: Settings, exc: Exception) -> EngineUnavailable:
    reason = str(getattr(exc, "error", "") or exc)
    reason = reason.rsplit("): ", 1)[-1]  # "Failed to establish a new connection: [Errno 111] Connection refused"
    return EngineUnavailable(f"OpenSearch at {', '.join(settings.urls)} cannot be reached ({reason}); "
                             "check ARCHIVE_OPENSEARCH_URL and that the cluster is running")


def check_health(client, settings: Settings) -> int:
    """The number of nodes of a usable cluster; :class:`IndexProblem` when it is red."""
    from opensearchpy.exceptions import ConnectionError as OSConnectionError, TransportError

    try:
        health = client.cluster.health(request_timeout=15)
    except OSConnectionError as exc:
        raise unavailable(settings, exc) from exc
    except TransportError as exc:
        raise EngineUnavailable(f"OpenSearch at {', '.join(settings.urls)} answered {exc.status_code}: {exc.error}") from exc
    if health.get("status") == "red":
        raise IndexProblem(f"the OpenSearch cluster {health.get('cluster_name')!r} is red "
                           f"({health.get('unassigned_shards')} unassigned shards): some data is unavailable")
    return int(health.get("number_of_nodes") or 1)


def with_backoff(call, what: str):
    """``call()`` retried with exponential back-off while the cluster says it is overloaded (429/503)."""
    from opensearchpy.exceptions import TransportError

    delay = BACKOFF
    for attempt in range(MAX_RETRIES + 1):
        try:
            return call()
        except TransportError as exc:
            if exc.status_code not in RETRY_STATUSES or attempt == MAX_RETRIES:
                raise
        time.sleep(delay)
        delay *= 2
    raise AssertionError(what)  # unreachable
