"""Output formats of ``dedup check``: one module per format, one small interface.

A format has a ``name`` (as given to ``--format``) and ``render(report) -> str``
where ``report`` is a :class:`dedup.gate.check.CheckReport`. Adding a format is one
module and one line in ``FORMATS``.
"""

from __future__ import annotations

from ..gate.check import CheckReport
from .github import GithubFormat
from .jsonfmt import JsonFormat
from .junit import JunitFormat
from .sarif import SarifFormat
from .text import TextFormat

FORMATS = {f.name: f for f in (TextFormat(), JsonFormat(), GithubFormat(), JunitFormat(),
                               SarifFormat())}


def render(report: CheckReport, name: str) -> str:
    return FORMATS[name].render(report)


__all__ = ["FORMATS", "render"]
