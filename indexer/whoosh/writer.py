"""Writing the Whoosh index through the contract's :class:`~indexer.contract.Writer`."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from . import facet_table, postings
from .schema import FILTER_FIELDS, SEARCH_FIELDS, passage_records

#: Memory Whoosh's writer may use before it flushes a segment.
WRITER_MB = 256


class WhooshWriter:
    def __init__(self, ix, finish: bool):
        self._writer = ix.writer(limitmb=WRITER_MB)
        self.finish = finish

    def add(self, document) -> None:
        for record in passage_records(document):
            self._writer.add_document(**record)

    def delete_path(self, path: str) -> None:
        self._writer.delete_by_term("path", path)

    def delete_document(self, doc_id: str) -> None:
        self._writer.delete_by_term("doc_id", doc_id)


@contextmanager
def writing(ix, folder: Path, finish: bool = True):
    """A writer committed when the block succeeds, cancelled otherwise; with ``finish``, the
    facet table and the saved postings (derived from the committed index) are brought up to
    date, which a long ingest does once, after its last block."""
    writer = WhooshWriter(ix, finish)
    try:
        yield writer
    except BaseException:
        writer._writer.cancel()
        raise
    writer._writer.commit()
    if writer.finish:
        refresh_derived(ix, folder)


def refresh_derived(ix, folder: Path) -> None:
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if not facet_table.load(folder, reader.generation()):
            facet_table.save(folder, facet_table.build(reader, reader.generation()))
        postings.update(folder, reader, [*SEARCH_FIELDS, *FILTER_FIELDS])
