"""The one switch between the compiled loops and their Python forms.

``dedup/_text.c`` (splitting, normalising, per-paragraph facts, sentence
ends) and ``dedup/_minhash.c`` (MinHash signatures, LSH buckets) are built
at install where a C compiler is found. Every module that has a compiled
form asks this module, at call time, whether it is there: ``text`` and
``minhash`` are the extension modules, or None where they were not built
or ``DEDUP_PYTHON_ONLY=1`` is set. The Python forms give the same results
(the tests compare them on every kind of text), only slower.

Tests switch both off for a run by setting the two names to None here;
nothing else needs patching.
"""

from __future__ import annotations

import os

text = minhash = None
if os.environ.get("DEDUP_PYTHON_ONLY", "") in ("", "0"):
    try:
        from . import _text as text
    except ImportError:              # not built (no C compiler at install)
        text = None
    try:
        from . import _minhash as minhash
    except ImportError:
        minhash = None
