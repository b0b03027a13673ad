"""``report.md``: summary and per-file diffs, short enough for a pull-request comment."""

from __future__ import annotations

from ..clean import unified_diff
from ..model import ScanResult
from .interface import finding_lines, span, summary

_MOST_FILES = 50


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
               f"- settings: {', '.join(f'{k}={v}' for k, v in result.settings.items())}", ""]
        if result.articles:
            dropped = result.dropped_articles()
            out += ["## Whole-article repeats", ""]
            for a in result.articles[:_MOST_FILES]:
                verb = "repeats" if a.relation == "repeat" else "updates"
                fate = " **(dropped)**" if a.doc in dropped else ""
                out.append(f"- `{docs[a.doc].path}` {verb} `{docs[a.kept_doc].path}`: "
                           f"{a.share:.0%} of its text, {a.paragraphs} of {a.total} "
                           f"paragraphs{fate}")
            out.append("")
        changed = sorted({r.doc for r in result.removals})
        for doc_no in changed[:_MOST_FILES]:
            doc = docs[doc_no]
            out.append(f"## {doc.path}")
            out.append("")
            for f in result.findings_in(doc_no):
                (a, b), (c, d) = finding_lines(result, f)
                where = "this file" if f.kept_doc == doc_no else f"`{docs[f.kept_doc].path}`"
                out.append(f"- {span(a, b)}: **{f.kind}**, repeats {where} {span(c, d)} "
                           f"(score {f.score:.1f})")
            diff = unified_diff(doc, result.removed_in(doc_no))
            out += ["", "```diff", diff.rstrip("\n"), "```", ""]
        if len(changed) > _MOST_FILES:
            out.append(f"... and {len(changed) - _MOST_FILES} more changed files: "
                       "see report.json for all findings.")
        for line in result.skipped:
            out.append(f"- skipped: {line}")
        return "\n".join(out) + "\n"
