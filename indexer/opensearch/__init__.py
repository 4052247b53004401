"""The OpenSearch engine behind :mod:`indexer.contract` (``ARCHIVE_ENGINE=opensearch``).

One OpenSearch document per publication, its passages as ``nested`` objects (see
docs/SCALING.md). ``opensearch-py`` is imported only when this engine is opened, so the
CLI does not pay for it otherwise.
"""
