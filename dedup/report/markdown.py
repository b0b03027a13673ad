"""``report.md``: the short report, sized for a pull-request comment.

A comment holds 65,536 characters; the report stays under ``BUDGET``
whatever the corpus: the summary, the whole-article repeats (the first
``MOST_ARTICLES``), a table of the files with the most paragraphs removed
(``MOST_FILES``), then the diffs of the largest changes, each cut at
``DIFF_LINES`` lines, for as long as the budget lasts. It ends by saying what
it left out: ``report.html`` shows every file, ``report.json`` lists every
finding.
"""

from __future__ import annotations

from ..output.clean import unified_diff
from ..input.documents import Document, document_from_text
from ..model import ScanResult
from .interface import finding_lines, span, summary

#: Characters the report stays under (a pull-request comment holds 65,536).
BUDGET = 60_000
MOST_ARTICLES = 30
MOST_FILES = 40
DIFF_LINES = 60
#: Findings listed above each diff.
MOST_FINDINGS = 10


#: A document with more paragraphs than this is diffed over its start only.
LONG_DOCUMENT = 2000


def _first_hunks(doc: Document, removed: set[int]) -> str:
    """The unified diff of a document, or of its start up to a little after its
    first removals when it is long: the report shows ``DIFF_LINES`` lines at
    most, and diffing a file of a million lines would cost minutes."""
    if doc.count <= LONG_DOCUMENT:
        return unified_diff(doc, removed)
    upto = sorted(removed)[:DIFF_LINES][-1] + 2          # paragraphs of the start
    lines, spans = doc.layout()
    end = spans[min(upto, len(spans) - 1)][1]
    start = document_from_text("".join(lines[:end]), doc.path)
    return unified_diff(start, {i for i in removed if i < start.count})


class MarkdownFormat:
    name = "markdown"
    filename = "report.md"

    def render(self, result: ScanResult) -> str:
        s = summary(result)
        docs = result.documents
        out = ["# dedup report", "",
               f"- files scanned: {s['files']} ({s['bytes']:,} bytes), paragraphs: {s['paragraphs']}",
               f"- repeated paragraphs removed: {s['removed']} "
               f"({', '.join(f'{k} {v}' for k, v in s['removed_by_kind'].items())}), "
               f"{s['bytes_removed']:,} bytes, in {s['files_changed']} files",
               f"- findings: {s['findings']} "
               f"({', '.join(f'{k} {v}' for k, v in sorted(s['findings_by_kind'].items())) or 'none'})",
               f"- files skipped: {s['skipped']}",
               f"- settings: {', '.join(f'{k}={v}' for k, v in result.settings.items())}",
               "- every file and finding: `report.html` (to review) and `report.json` (all of it)",
               ""]
        if result.articles:
            dropped = result.dropped_articles()
            out += [f"## Whole-article repeats ({len(result.articles)})", ""]
            for a in result.articles[:MOST_ARTICLES]:
                verb = "repeats" if a.relation == "repeat" else "updates"
                fate = " **(dropped)**" if a.doc in dropped else ""
                out.append(f"- `{docs[a.doc].path}` {verb} `{docs[a.kept_doc].path}`: "
                           f"{a.share:.0%} of its text, {a.paragraphs} of {a.total} "
                           f"paragraphs{fate}")
            if len(result.articles) > MOST_ARTICLES:
                out.append(f"- ... and {len(result.articles) - MOST_ARTICLES} more")
            out.append("")
        removed_in: dict[int, int] = {}
        for ref in result.removals:
            removed_in[ref.doc] = removed_in.get(ref.doc, 0) + 1
        largest = sorted(removed_in, key=lambda d: (-removed_in[d], docs[d].path))
        if largest:
            out += [f"## Files with the most paragraphs removed ({len(largest)} files changed)",
                    "", "| file | removed | of |", "|---|---:|---:|"]
            out += [f"| `{docs[d].path}` | {removed_in[d]} | {docs[d].count} |"
                    for d in largest[:MOST_FILES]]
            out.append("")
        size = sum(len(line) + 1 for line in out)
        tail = []
        if result.skipped:
            tail += [f"- skipped: {line}" for line in result.skipped[:20]]
            if len(result.skipped) > 20:
                tail.append(f"- ... and {len(result.skipped) - 20} more skipped files")
        size += sum(len(line) + 1 for line in tail)
        shown = 0
        for doc_no in largest:
            section = self._diff_section(result, doc_no)
            cost = sum(len(line) + 1 for line in section)
            if size + cost > BUDGET - 200:
                break
            out += section
            size += cost
            shown += 1
        if shown < len(largest):
            out.append(f"Diffs of {shown} of {len(largest)} changed files are shown here, the "
                       "largest first; `report.html` shows every file.")
            out.append("")
        return "\n".join(out + tail) + "\n"

    def _diff_section(self, result: ScanResult, doc_no: int) -> list[str]:
        docs = result.documents
        doc = docs[doc_no]
        out = [f"### {doc.path}", ""]
        findings = result.findings_in(doc_no)
        for f in findings[:MOST_FINDINGS]:
            (a, b), (c, d) = finding_lines(result, f)
            where = "this file" if f.kept_doc == doc_no else f"`{docs[f.kept_doc].path}`"
            out.append(f"- {span(a, b)}: **{f.kind}**, repeats {where} {span(c, d)} "
                       f"(score {f.score:.1f})")
        if len(findings) > MOST_FINDINGS:
            out.append(f"- ... and {len(findings) - MOST_FINDINGS} more findings")
        diff = _first_hunks(doc, result.removed_in(doc_no)).rstrip("\n").split("\n")
        if len(diff) > DIFF_LINES:
            diff = diff[:DIFF_LINES] + [f"... {len(diff) - DIFF_LINES} more diff lines"]
        return out + ["", "```diff", *diff, "```", ""]
