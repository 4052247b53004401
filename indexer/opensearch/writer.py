"""Writing through the contract's :class:`~indexer.contract.Writer`: operations are collected
during the block and sent together when it ends without an error (one or more ``_bulk``
requests, then a refresh); a block that fails sends nothing.

The index refreshes only when a block commits (``refresh_interval: -1``), so a search never
sees a block half-sent. ``delete_path`` is resolved when the block commits: the documents
the index holds for that path, and those added earlier in the same block.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from ..errors import EngineFailure
from .client import with_backoff
from .mapping import record

#: Bytes of NDJSON per _bulk request.
BULK_BYTES = 8 * 1024 * 1024


class OpenSearchWriter:
    def __init__(self, finish: bool):
        self.finish = finish
        self.ops: list[tuple[str, object]] = []

    def add(self, document) -> None:
        if not document.id:
            raise ValueError(f"a document of {document.path} has no id")
        self.ops.append(("add", document))

    def delete_path(self, path: str) -> None:
        self.ops.append(("path", path))

    def delete_document(self, doc_id: str) -> None:
        self.ops.append(("id", doc_id))


def _ids_for_paths(client, index: str, paths: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {p: set() for p in paths}
    for start in range(0, len(paths), 500):
        chunk = paths[start:start + 500]
        body = {"query": {"terms": {"path": chunk}}, "_source": ["path"], "size": 10000}
        found = client.search(index=index, body=body, params={"request_cache": "false"})
        for h in found["hits"]["hits"]:
            out.setdefault(h["_source"]["path"], set()).add(h["_id"])
    return out


def actions(client, index: str, ops: list[tuple[str, object]]) -> list[tuple[dict, dict | None]]:
    """The block's operations as bulk actions, in order."""
    # Documents of a path not yet refreshed are found too: the index was refreshed after the
    # last block, and this block's own additions are tracked here.
    existing = _ids_for_paths(client, index, sorted({v for kind, v in ops if kind == "path"}))
    added: dict[str, set[str]] = {}
    out = []
    for kind, value in ops:
        if kind == "add":
            out.append(({"index": {"_index": index, "_id": value.id}}, record(value)))
            added.setdefault(value.path, set()).add(value.id)
        elif kind == "path":
            for doc_id in sorted(existing.get(value, set()) | added.pop(value, set())):
                out.append(({"delete": {"_index": index, "_id": doc_id}}, None))
            existing[value] = set()
        else:
            out.append(({"delete": {"_index": index, "_id": value}}, None))
    return out


def send(client, index: str, ops: list[tuple[str, object]]) -> None:
    pending = actions(client, index, ops)
    chunk: list[str] = []
    size = 0

    def flush():
        nonlocal chunk, size
        if chunk:
            body = "\n".join(chunk) + "\n"
            result = with_backoff(lambda: client.bulk(body=body), "bulk")
            if result.get("errors"):
                failures = []
                for item in result["items"]:
                    (op, detail), = item.items()
                    if detail.get("status", 500) >= 300 and not (op == "delete" and detail.get("status") == 404):
                        failures.append(f"{op} {detail.get('_id')}: {detail.get('error')}")
                if failures:
                    raise EngineFailure(f"OpenSearch refused {len(failures)} operation(s): " + "; ".join(failures[:3]))
            chunk, size = [], 0

    for action, source in pending:
        lines = [json.dumps(action)]
        if source is not None:
            lines.append(json.dumps(source, ensure_ascii=False))
        chunk.extend(lines)
        size += sum(len(line) for line in lines)
        if size >= BULK_BYTES:
            flush()
    flush()


@contextmanager
def writing(engine, finish: bool = True):
    """A writer whose operations are sent when the block succeeds, dropped otherwise; then the
    index is refreshed, and with ``finish`` a rebuilt index takes the alias."""
    writer = OpenSearchWriter(finish)
    yield writer  # an exception in the block leaves here: nothing was sent
    engine.commit(writer)
