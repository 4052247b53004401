"""Keep ``archive search`` start-up short: Whoosh pulls in two heavy modules it never uses there.

``whoosh.compat`` imports ``urllib.request`` (for ``urlretrieve``; with it come
http.client, email and ssl) and the ``cached_property`` package imports
``asyncio``, only to call ``iscoroutinefunction``. Together they are about
0.2 s of a 0.35 s start. (``whoosh.lang.morph_en``, for a query type the archive
never builds, is the third.) Before the CLI's search path imports Whoosh, each is
replaced by a stand-in that loads the real module the first time anything
else is asked of it (PEP 562 module ``__getattr__``), so behaviour is unchanged
for any code that really needs them. The same is done for the parts of numpy a search never
uses (the docstrings of its C functions, ``numpy.linalg``), and the garbage collector is kept
from walking the imported modules again and again (see :func:`trim_search_imports`).
"""

from __future__ import annotations

import gc
import importlib
import inspect
import os
import sys
import types


def _stand_in(name: str, **known) -> None:
    if name in sys.modules:
        return
    module = types.ModuleType(name)

    def load_real(attribute: str):
        if attribute.startswith("__") and attribute.endswith("__"):
            # The import system asks for ``__path__``, ``__spec__``... (``from X import Y`` calls
            # hasattr(X, "__path__")): answering those must not load the real module.
            raise AttributeError(attribute)
        if sys.modules.get(name) is module:
            del sys.modules[name]
        real = importlib.import_module(name)
        parent, _, child = name.rpartition(".")
        if parent and parent in sys.modules:
            setattr(sys.modules[parent], child, real)
        return getattr(real, attribute)

    module.__getattr__ = load_real  # type: ignore[method-assign]
    for attribute, value in known.items():
        setattr(module, attribute, value)
    sys.modules[name] = module


def _urlretrieve(*args, **kwargs):
    del sys.modules["urllib.request"]
    return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)


def _morph_en_variations(word):
    """whoosh.lang.morph_en compiles a few hundred regular expressions on import, for the
    ``Variations`` query, which the archive never builds: they are compiled on first use."""
    del sys.modules["whoosh.lang.morph_en"]
    return importlib.import_module("whoosh.lang.morph_en").variations(word)


def _later(name: str, attribute: str):
    """A function that loads the real module ``name`` when first called, then calls its ``attribute``."""

    def call(*args, **kwargs):
        module = sys.modules.get(name)
        if module is None or not getattr(module, "__file__", None):
            sys.modules.pop(name, None)
            module = importlib.import_module(name)
        return getattr(module, attribute)(*args, **kwargs)

    return call


def _no_masked_array(value) -> bool:
    return False


#: The names numpy.lib and numpy.matrixlib import from numpy.linalg while numpy loads.
_LINALG_IMPORTED = ("matrix_power", "eigvals", "inv", "lstsq", "pinv")
#: Allocations between collections of the youngest generation while a short-lived process imports.
_IMPORT_THRESHOLD = 100_000
_THRESHOLDS: tuple[int, ...] | None = None


def trim_search_imports() -> None:
    """Install the stand-ins; call before the first Whoosh import of a short-lived process."""
    if "whoosh" in sys.modules:
        return
    # A search does no linear algebra: OpenBLAS's thread pool, started when numpy loads, is
    # start-up time for nothing (about 25 ms of CPU on two cores). A value already set is kept.
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _stand_in("urllib.request", urlretrieve=_urlretrieve)
    _stand_in("asyncio", iscoroutinefunction=inspect.iscoroutinefunction)
    _stand_in("whoosh.lang.morph_en", variations=_morph_en_variations)
    # whoosh.filedb.filestore imports tempfile, whoosh.filedb.compound shutil (with them come lzma,
    # bz2, random): for writing only.
    _stand_in("tempfile")
    _stand_in("shutil", copyfileobj=_later("shutil", "copyfileobj"))
    if "numpy" not in sys.modules:
        # numpy's import sets the docstrings of its C functions one call at a time (about 10 % of
        # the import), and loads numpy.linalg (with numpy._typing) for the five functions that
        # numpy.matrixlib and numpy.lib import by name: none is used by a search. Each loads on
        # first use, as the other stand-ins.
        _stand_in("numpy._core._add_newdocs")
        _stand_in("numpy._core._add_newdocs_scalars")
        _stand_in("numpy.linalg", **{name: _later("numpy.linalg", name) for name in _LINALG_IMPORTED})
    # The cyclic garbage collector walks every object on each of its full passes: during the
    # imports (tens of thousands of objects, none of them garbage) and once more when the
    # process exits. What exists now (the CLI, click) is set aside for good and the imports to
    # come are collected rarely; trim_after_engine() sets aside what they made and restores the
    # collector's usual pace.
    global _THRESHOLDS
    if _THRESHOLDS is None:
        _THRESHOLDS = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(max(_THRESHOLDS[0], _IMPORT_THRESHOLD), *_THRESHOLDS[1:])


def trim_after_engine() -> None:
    """Once the engine is open: numpy 2.x's ``np.unique`` asks ``np.ma.is_masked(array)``, which
    imports all of numpy.ma (about 40 ms) on the first search. While the stand-in is there
    numpy.ma was never loaded, so no masked array exists and the answer is False."""
    global _THRESHOLDS
    if _THRESHOLDS is not None:
        # The modules and the opened index live as long as the process: never garbage.
        gc.freeze()
        gc.set_threshold(*_THRESHOLDS)
        _THRESHOLDS = None
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return
    linalg = sys.modules.get("numpy.linalg")
    if linalg is not None and "linalg" not in vars(numpy):
        # A submodule found in sys.modules is not set on its package; numpy's own __getattr__
        # would import it again by name, and find itself asked again.
        numpy.linalg = linalg
    if "numpy.ma" in sys.modules:
        return
    _stand_in("numpy.ma", is_masked=_no_masked_array)
    numpy.ma = sys.modules["numpy.ma"]  # ``import numpy.ma as ma`` reads the attribute
