"""The Whoosh index: schema, per-language analysis, writing and synchronisation with folders."""
