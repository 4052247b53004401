"""Keep ``archive search`` start-up short: Whoosh pulls in two heavy modules it never uses there.

``whoosh.compat`` imports ``urllib.request`` (for ``urlretrieve``; with it come
http.client, email and ssl) and the ``cached_property`` package imports
``asyncio``, only to call ``iscoroutinefunction``. Together they are about
0.2 s of a 0.35 s start. Before the CLI's search path imports Whoosh, each is
replaced by a stand-in that loads the real module the first time anything
else is asked of it (PEP 562 module ``__getattr__``), so behaviour is unchanged
for any code that really needs them.
"""

from __future__ import annotations

import importlib
import inspect
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


def trim_search_imports() -> None:
    """Install the stand-ins; call before the first Whoosh import of a short-lived process."""
    if "whoosh" in sys.modules:
        return
    _stand_in("urllib.request", urlretrieve=_urlretrieve)
    _stand_in("asyncio", iscoroutinefunction=inspect.iscoroutinefunction)
