"""The interface every report format implements, and helpers they share."""

from __future__ import annotations

from typing import Protocol

from ..input.documents import NOT_COMPARED, skip_reason
from ..model import Finding, Ref, ScanResult


class Format(Protocol):
    name: str          # as given to --format
    filename: str      # the file it writes in a report folder

    def render(self, result: ScanResult) -> str: ...


def span(first: int, last: int) -> str:
    """'line 3' or 'lines 11-19'."""
    return f"line {first}" if first == last else f"lines {first}-{last}"


def finding_lines(result: ScanResult, finding: Finding) -> tuple[tuple[int, int], tuple[int, int]]:
    """Line spans of a finding's removed run and of the kept run it repeats."""
    removed = result.documents[finding.doc]
    kept = result.documents[finding.kept_doc]
    return ((removed.line_span(finding.first)[0], removed.line_span(finding.last)[1]),
            (kept.line_span(finding.kept_first)[0], kept.line_span(finding.kept_last)[1]))


def ref_lines(result: ScanResult, ref: Ref) -> tuple[int, int]:
    return result.documents[ref.doc].line_span(ref.para)


def summary(result: ScanResult) -> dict:
    """Counts every format reports the same way."""
    by_kind = {"exact": 0, "near": 0, "boilerplate": 0}
    removed_bytes = 0
    for ref, removal in result.removals.items():
        by_kind[removal.kind] += 1
        removed_bytes += result.documents[ref.doc].paragraph_bytes(ref.para)
    not_compared = sum(skip_reason(line) == NOT_COMPARED for line in result.skipped)
    findings_by_kind: dict[str, int] = {}
    for finding in result.findings:
        findings_by_kind[finding.kind] = findings_by_kind.get(finding.kind, 0) + 1
    return {
        "files": len(result.documents),
        "paragraphs": sum(d.count for d in result.documents),
        "bytes": sum(d.size for d in result.documents),
        "removed": len(result.removals),
        "removed_by_kind": by_kind,
        "bytes_removed": removed_bytes,
        "findings": len(result.findings),
        "findings_by_kind": findings_by_kind,
        "files_changed": len({r.doc for r in result.removals}),
        # Files skipped; a pair of paragraphs that could not be compared
        # (both kept) is listed in ``skipped`` too but counted apart.
        "skipped": len(result.skipped) - not_compared,
        "not_compared": not_compared,
    }
