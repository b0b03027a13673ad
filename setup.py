"""The compiled signature loop (dedup/_minhash.c); everything else is in pyproject.toml.

The extension is optional: where it cannot be built (no C compiler), the
install goes on and dedup signs with numpy, giving the same signatures.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("dedup._minhash", ["dedup/_minhash.c"], optional=True,
                             extra_compile_args=["-O3"])])
