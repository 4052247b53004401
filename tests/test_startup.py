"""What keeps ``archive search`` short to start: lazy patterns, stand-ins for modules a search never uses."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from archive.textutil import LazyRegex


@pytest.mark.parametrize("pattern, flags, method, args", [
    (r"(?P<year>19\d\d|20\d\d)", 0, "search", ("rapport 2019 et 2020",)),
    (r"\bpage\b", re.I, "findall", ("Page 3, page 4, pages",)),
    (r"[^\w]+", 0, "sub", (" ", "(Dé)clic – Dé-clic")),
    (r"^\d+\.\s*", 0, "match", ("12. Titre",)),
    (r"\s+", 0, "split", ("a  b\tc",)),
    (r"x", 0, "fullmatch", ("y",)),
])
def test_lazy_regex_answers_as_the_compiled_pattern(pattern, flags, method, args):
    lazy, compiled = LazyRegex(pattern, flags), re.compile(pattern, flags)
    first, second = getattr(lazy, method)(*args), getattr(lazy, method)(*args)
    expected = getattr(compiled, method)(*args)
    if isinstance(expected, re.Match):
        assert first.group(0) == second.group(0) == expected.group(0) and first.span() == expected.span()
    else:
        assert first == second == expected
    assert lazy.pattern == pattern and lazy.flags == compiled.flags


def test_lazy_regex_compiles_on_first_use_only():
    lazy = LazyRegex(r"(")  # invalid: an error only when used
    with pytest.raises(re.error):
        lazy.search("x")


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_numpy_stand_ins_load_the_real_modules_when_used():
    out = _run(
        "import gc, sys\n"
        "from search.fastimport import trim_after_engine, trim_search_imports\n"
        "before = gc.get_threshold()\n"
        "trim_search_imports()\n"
        "import numpy as np\n"
        "trim_after_engine()\n"
        "print('LOADED', getattr(sys.modules['numpy.linalg'], '__file__', None) is not None)\n"
        "print('THRESHOLD', gc.get_threshold() == before)\n"
        "print('UNIQUE', np.unique(np.array([3, 1, 3])).tolist())\n"
        "print('INV', np.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]])).tolist())\n"
        "print('POWER', (np.matrix([[1, 2], [3, 4]]) ** 2).tolist())\n"
        "print('FIT', [round(float(v), 6) for v in np.polyfit([0, 1, 2], [1, 3, 5], 1)])\n"
        "print('NORM', float(np.linalg.norm(np.array([3.0, 4.0]))))\n"
    )
    assert "LOADED False" in out  # a search never loads numpy.linalg
    assert "THRESHOLD True" in out
    assert "UNIQUE [1, 3]" in out
    assert "INV [[0.5, 0.0], [0.0, 0.25]]" in out
    assert "POWER [[7, 10], [15, 22]]" in out
    assert "FIT [2.0, 1.0]" in out
    assert "NORM 5.0" in out


def test_the_dictionary_module_compiles_no_pattern_on_import():
    out = _run(
        "import re, sys\n"
        "import archive.model, archive.textutil, indexer.analysis  # their own patterns are used by every search\n"
        "compiled = []\n"
        "real = re.compile\n"
        "def counted(*a, **k):\n"
        "    caller = sys._getframe(1).f_code.co_filename  # the archive's own modules, not the standard library's\n"
        "    if 'dictionary.py' in caller or 'metadata.py' in caller:\n"
        "        compiled.append(a[0])\n"
        "    return real(*a, **k)\n"
        "re.compile = counted\n"
        "import indexer.dictionary, archive.metadata\n"
        "print('COMPILED', len(compiled))\n"
    )
    assert "COMPILED 0" in out
