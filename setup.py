"""The compiled parts (dedup/_minhash.c, dedup/_text.c); everything else is in pyproject.toml.

Both extensions are optional: where they cannot be built (no C compiler),
the install goes on and dedup runs their Python and numpy forms, which give
the same results.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension(f"dedup.{name}", [f"dedup/{name}.c"], optional=True,
                             extra_compile_args=["-O3"])
                   for name in ("_minhash", "_text")])
