"""``--format text``: the readable summary ``dedup scan`` prints."""

from __future__ import annotations

from ..model import BLOCK, BOILERPLATE, ScanResult
from .interface import finding_lines, span, summary


def _shorten(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 3] + "..."


class TextFormat:
    name = "text"
    filename = "report.txt"

    def render(self, result: ScanResult) -> str:
        docs = result.documents
        out: list[str] = []
        if result.articles:
            out.append("Articles:")
            dropped = result.dropped_articles()
            for a in result.articles:
                verb = "repeats" if a.relation == "repeat" else "updates"
                extra = f", {a.changed} with changed numbers" if a.changed else ""
                extra += "; dropped" if a.doc in dropped else ""
                out.append(f"  {docs[a.doc].path} {verb} {docs[a.kept_doc].path}: "
                           f"{a.share:.0%} of its text, {a.paragraphs} of {a.total} "
                           f"paragraphs{extra}")
            out.append("")
        for doc_no, doc in enumerate(docs):
            findings = [f for f in result.findings_in(doc_no)
                        if f.kind != BOILERPLATE and not result.explained_by_article(f)]
            if not findings:
                continue
            out.append(doc.path)
            for f in findings:
                (a, b), (c, d) = finding_lines(result, f)
                where = "" if f.kept_doc == doc_no else f"{docs[f.kept_doc].path} "
                verb = "repeat" if a != b else "repeats"
                if f.kind == BLOCK:
                    kinds = sorted({r.kind for r in f.removals})
                    how = f"block of {len(f.removals)} paragraphs, {'/'.join(kinds)}"
                else:
                    how = f.kind + (f", {f.removals[0].detail}" if f.removals[0].detail else "")
                out.append(f"  {span(a, b)} {verb} {where}{span(c, d)} ({how}, score {f.score:.1f})")
        if result.boilerplate:
            policy = result.settings.get("boilerplate", "remove")
            out.append(f"Boilerplate (policy: {policy}):")
            for b in result.boilerplate:
                out.append(f"  \"{_shorten(b.text)}\" in {b.files} files, {b.removed} removed")
        for line in result.skipped:
            out.append(f"skipped: {line}")
        s = summary(result)
        kinds = ", ".join(f"{k} {v}" for k, v in s["removed_by_kind"].items())
        if out:
            out.append("")
        out.append(f"{s['files']} files, {s['paragraphs']} paragraphs: {s['removed']} repeated "
                   f"paragraphs ({kinds}) in {s['findings']} findings across "
                   f"{s['files_changed']} files; {s['skipped']} files skipped"
                   + (f"; {s['not_compared']} pairs not compared" if s["not_compared"] else ""))
        return "\n".join(out) + "\n"
