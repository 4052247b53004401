"""archive: turn publications (HTML, PDF, text, Word) into clean, language-tagged documents.

This package knows nothing of indexes or the web: it only reads files.
"""

__version__ = "0.1.0"
