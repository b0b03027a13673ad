"""``--format text``: one line per finding, then a summary line.

A new article that as a whole repeats another is one line; its paragraph
findings against that article are not repeated under it (``--format json``
has them all).
"""

from __future__ import annotations

from ..gate.check import CheckReport, _span


def summary_line(report: CheckReport) -> str:
    repeats = len(report.repeats)
    files = len({f.path for f in report.findings})
    parts = [f"{repeats} repeated paragraph{'s' if repeats != 1 else ''} "
             f"in {files} of {len(report.files)} files"]
    whole = len(report.repeated_articles)
    if whole:
        parts.append(f"{whole} whole-article repeat{'s' if whole != 1 else ''}")
    accepted = len(report.accepted) + len(report.accepted_articles)
    if accepted:
        parts.append(f"{accepted} accepted by the baseline")
    if report.already_indexed:
        parts.append(f"{len(report.already_indexed)} already indexed (not checked)")
    if report.boilerplate:
        parts.append(f"{len(report.boilerplate)} boilerplate lines (not blocking)")
    if report.skipped:
        parts.append(f"{len(report.skipped)} files skipped")
    parts.append(f"index {report.index}: {report.index_files} files, "
                 f"{report.index_paragraphs} paragraphs")
    return ("ok: " if report.passed else "FAIL: ") + "; ".join(parts)


def finding_lines(report: CheckReport) -> list[str]:
    """``path:lines: message`` for every article repeat and unexplained finding, by file."""
    out = []
    for path in report.files:
        for a in report.articles:
            if a.path == path and a.relation == "repeat":
                out.append(f"{path}:{_span(a.first_line, a.last_line)}: {a.message()}")
        for f in report.unexplained():
            if f.path == path:
                out.append(f"{path}:{_span(f.first_line, f.last_line)}: {f.message()}")
        for a in report.articles:
            if a.path == path and a.relation == "update":
                out.append(f"{path}: note: {a.message()}")
    return out


def note_lines(report: CheckReport) -> list[str]:
    """What passes: accepted repeats and files already in the index."""
    out = [f"{a.path}: accepted: {a.message()}" for a in report.accepted_articles]
    out += [f"{r.path}:{_span(r.first_line, r.last_line)}: accepted repeat of "
            f"{r.kept_path} {_span(r.kept_first_line, r.kept_last_line)}"
            for r in report.accepted]
    out += [f"{path}: already indexed (the same path and bytes); not checked"
            for path in report.already_indexed]
    return out


def quiet_lines(report: CheckReport) -> list[str]:
    """``--quiet``: what fails the check and the summary line; nothing when it passes."""
    if report.passed:
        return []
    return finding_lines(report) + [summary_line(report)]


class TextFormat:
    name = "text"

    def render(self, report: CheckReport) -> str:
        out = finding_lines(report) + note_lines(report)
        for line in report.skipped:
            out.append(f"skipped: {line}")
        if report.added is not None:
            out.append(f"index: {report.added.line()}")
        if report.baseline_written:
            out.append(f"baseline: wrote {report.baseline_written}")
        out.append(summary_line(report))
        return "\n".join(out) + "\n"
