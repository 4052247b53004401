"""The query side of the archive: searching, filters, facets, snippets, and the front-ends (CLI, web)."""
