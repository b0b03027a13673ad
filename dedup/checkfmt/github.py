"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=PATH,line=N,endLine=M,title=...::message`` makes GitHub show
the finding on the new file's lines in the pull request. What fails the check
is an ``error`` (a whole-article repeat is one annotation over the article);
what passes but deserves a look is a ``notice``: repeats the baseline accepts,
updates (changed numbers), files already in the index. Files that could not be
read are warnings. Values are escaped as the runner expects (``%``, CR and LF;
in properties also ``:`` and ``,``).
"""

from __future__ import annotations

from ..gate.check import CheckReport, _span
from .text import summary_line


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, path: str, first: int, last: int, title: str, message: str) -> str:
    props = (f"file={escape_property(path)},line={first},endLine={last},"
             f"title={escape_property(title)}")
    return f"::{level} {props}::{escape_data(message)}"


class GithubFormat:
    name = "github"

    def render(self, report: CheckReport) -> str:
        out = []
        for path in report.files:
            for a in report.articles:
                if a.path == path:
                    level, title = (("error", "dedup: repeated article") if a.relation == "repeat"
                                    else ("notice", "dedup: updated article"))
                    out.append(annotation(level, path, a.first_line, a.last_line, title,
                                          a.message()))
            for f in report.unexplained():
                if f.path == path:
                    title = "dedup: repeated paragraph" + ("s" if len(f.repeats) > 1 else "")
                    out.append(annotation("error", path, f.first_line, f.last_line, title,
                                          f.message()))
        for a in report.accepted_articles:
            out.append(annotation("notice", a.path, a.first_line, a.last_line,
                                  "dedup: accepted repeat", "accepted: " + a.message()))
        for r in report.accepted:
            out.append(annotation("notice", r.path, r.first_line, r.last_line,
                                  "dedup: accepted repeat",
                                  f"accepted repeat of {r.kept_path} "
                                  f"{_span(r.kept_first_line, r.kept_last_line)}"))
        for path in report.already_indexed:
            out.append(f"::notice file={escape_property(path)},title=dedup%3A already indexed::"
                       f"{escape_data('the same path and bytes are in the index; not checked')}")
        for line in report.skipped:
            out.append(f"::warning::{escape_data('dedup: skipped ' + line)}")
        out.append(summary_line(report))
        return "\n".join(out) + "\n"
