"""A removal while decisions are being made, in flat positions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Choice:
    """A paragraph is removed as a repeat of ``twin`` (a flat position).

    ``twin_last`` is the last paragraph of the kept run when the paragraph
    repeats a run of paragraphs (a re-flowed copy), else -1. ``contextual``
    marks a removal that stands only inside the same story (see
    :mod:`dedup.decisions.context`), such as a truncated copy whose fuller twin goes on
    with facts of its own. Never changed once made (a paragraph's choice is
    replaced instead), so one may stand for many paragraphs.
    """

    twin: int
    kind: str
    score: float
    detail: str = ""
    twin_last: int = -1
    contextual: bool = False

    def twins(self) -> range:
        """The kept paragraphs this removal names: one, or a run."""
        return range(self.twin, max(self.twin, self.twin_last) + 1)
