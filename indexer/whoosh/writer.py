"""Writing the Whoosh index through the contract's :class:`~indexer.contract.Writer`.

A long ingest writes on every core it is given: the passages go, a few hundred at
a time, to sub-writer processes (Whoosh's :class:`~whoosh.multiproc.MpWriter`),
each of which builds its own segment; the commit adds those segments to the index
as they are (``multisegment``), without merging them into one, and joins only the
existing small segments (those Whoosh's default policy would merge, joined by copying
their postings: :mod:`indexer.whoosh.merging`), so the number of segments stays
bounded. Deletions are made by the main writer on the segments already committed,
as before. A batch too small to be worth a process (fewer passages than
:data:`SUB_BATCH`) is written by the main process alone.

Crash safety is Whoosh's: nothing is visible until the table of contents is
written, which happens once, after every sub-writer has finished its segment; a
sub-writer that failed makes the commit fail (and nothing is written); sub-writers
die with the process that started them, so a killed ingest leaves no writer
behind, and the unreferenced files of an unfinished commit are deleted by the next.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from . import facet_table, merging, postings
from .schema import FILTER_FIELDS, SEARCH_FIELDS, complete_record, passage_records

#: Memory Whoosh's writer may use before it flushes a segment (each sub-writer has this much).
WRITER_MB = 256
#: Passages handed to a sub-writer at a time; a batch with fewer is written in the main process.
SUB_BATCH = 200


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when ``parent`` dies (even by SIGKILL); exit if it already has."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: an orphaned sub-writer waits for work that never comes
    if os.getppid() != parent:
        os._exit(1)


def _save_postings(writer, folder: Path) -> None:
    """The saved postings (:mod:`indexer.whoosh.postings`) of a sub-writer's finished segment, built
    by the sub-writer, beside the others, instead of by the ingest after the commit. A segment
    whose commit fails leaves files that the next :func:`postings.update` removes."""
    from whoosh.reading import SegmentReader

    try:
        segment = writer.get_segment()
        if not segment.doc_count_all():
            return
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            postings.save_segment(folder, segment.segment_id(), postings.build_segment(reader, [*SEARCH_FIELDS, *FILTER_FIELDS]))
        finally:
            reader.close()
    except Exception:  # the ingest builds them after the commit, as for any segment without them
        pass


def _parallel_writer(ix, processes: int, folder: Path | None = None):
    from whoosh.multiproc import MpWriter, SubWriterTask
    from whoosh.writing import SegmentWriter

    parent = os.getpid()

    class Task(SubWriterTask):
        def run(self):
            _die_with(parent)  # a killed ingest leaves no sub-writer behind (it would hold the ingest lock)
            super().run()
            if self.running and folder is not None:
                _save_postings(self.writer, folder)

        def _process_file(self, filename, doc_count):
            if not getattr(self, "_completing", False):
                # The passages' quality is measured here, in parallel, rather than by the ingest.
                add_document = self.writer.add_document
                self.writer.add_document = lambda **fields: add_document(**complete_record(fields))
                self._completing = True
            super()._process_file(filename, doc_count)

    class ParallelWriter(MpWriter):
        def _new_task(self):
            task = Task(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment)
            task.daemon = True
            self.tasks.append(task)
            task.start()
            return task

        def end_group(self):
            super().end_group()
            # MpWriter hands passages over only between groups, when a passage is added: here too.
            if not self._grouping and len(self.docbuffer) >= self.batchsize:
                self._enqueue()

        def commit(self, mergetype=None, optimize=None, merge=None):
            if not self.tasks:
                # Never reached a sub-writer: too few passages to be worth a process.
                for _code, fields in self.docbuffer:
                    SegmentWriter.add_document(self, **complete_record(fields))
                self.docbuffer = []
                self._added_sub = False
            super().commit(mergetype=mergetype, optimize=optimize, merge=merge)

        def _commit_toc(self, segments):
            # MpWriter drops the segment of a sub-writer that failed without a word: refuse to commit.
            failed = [t.exitcode for t in self.tasks if t.exitcode != 0]
            if failed:
                raise RuntimeError(f"a sub-writer of the index failed (exit status {failed[0]}); nothing was committed")
            # A sub-writer that got no passages (the others took them all) leaves an empty segment.
            super()._commit_toc([s for s in segments if s.doc_count_all()])

        def cancel(self):
            # MpWriter.cancel only flags its copy of each task: stop the processes themselves.
            for task in self.tasks:
                if task.is_alive():
                    task.terminate()
                task.join()
            self.tasks = []
            SegmentWriter.cancel(self)

    # limitmb is per sub-writer; the main writer holds the deletions and, for small batches, the passages.
    return ParallelWriter(ix, procs=processes, batchsize=SUB_BATCH, multisegment=True, limitmb=WRITER_MB)


class WhooshWriter:
    def __init__(self, ix, finish: bool, processes: int | None = None, folder: Path | None = None):
        processes = processes or available_cores()
        self._writer = _parallel_writer(ix, processes, folder) if processes > 1 else ix.writer(limitmb=WRITER_MB)
        self._group = getattr(self._writer, "group", None) if processes > 1 else None
        self.finish = finish

    def add(self, document) -> None:
        records = passage_records(document, quality=self._group is None)
        if self._group is not None:
            # A document's passages go to the same sub-writer, one after the other.
            with self._group():
                for record in records:
                    self._writer.add_document(**record)
            return
        for record in records:
            self._writer.add_document(**record)

    def delete_path(self, path: str) -> None:
        self._writer.delete_by_term("path", path)

    def delete_document(self, doc_id: str) -> None:
        self._writer.delete_by_term("doc_id", doc_id)


@contextmanager
def writing(ix, folder: Path, finish: bool = True, processes: int | None = None):
    """A writer committed when the block succeeds, cancelled otherwise; with ``finish``, the
    facet table and the saved postings (derived from the committed index) are brought up to
    date, which a long ingest does once, after its last block. ``processes``: how many
    processes may write (default: the cores this process may use)."""
    writer = WhooshWriter(ix, finish, processes, folder)
    try:
        yield writer
    except BaseException:
        writer._writer.cancel()
        raise
    try:
        writer._writer.commit(mergetype=merging.JOIN_SMALL)
    except BaseException:
        try:
            writer._writer.cancel()  # releases the lock; what was written is never referenced
        except Exception:
            pass
        raise
    if writer.finish:
        refresh_derived(ix, folder)


def refresh_derived(ix, folder: Path) -> None:
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if not facet_table.load(folder, reader.generation()):
            facet_table.save(folder, facet_table.build(reader, reader.generation()))
        postings.update(folder, reader, [*SEARCH_FIELDS, *FILTER_FIELDS])
