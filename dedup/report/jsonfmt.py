"""``--format json``: the machine-readable findings (schema in docs/json-schema.md)."""

from __future__ import annotations

import json

from ..model import ScanResult
from .interface import finding_lines, ref_lines, summary

SCHEMA = "dedup.scan"
VERSION = 1


def as_dict(result: ScanResult) -> dict:
    docs = result.documents
    files = []
    for doc_no, doc in enumerate(docs):
        findings = result.findings_in(doc_no)
        if not findings:
            continue
        items = []
        for f in findings:
            lines, kept_lines = finding_lines(result, f)
            items.append({
                "kind": f.kind,
                "in_article_repeat": result.explained_by_article(f),
                "lines": list(lines),
                "score": f.score,
                "repeats": {"path": docs[f.kept_doc].path, "lines": list(kept_lines)},
                "paragraphs": [{
                    "lines": list(ref_lines(result, r.removed)),
                    "kind": r.kind,
                    "score": r.score,
                    "detail": r.detail,
                    "repeats": {"path": docs[r.kept.doc].path,
                                "lines": list(ref_lines(result, r.kept))},
                } for r in f.removals],
            })
        files.append({"path": doc.path, "paragraphs": len(doc.paragraphs),
                      "removed": len(result.removed_in(doc_no)), "findings": items})
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "settings": result.settings,
        "summary": summary(result),
        "articles": [{
            "path": docs[a.doc].path,
            "relation": a.relation,
            "repeats": docs[a.kept_doc].path,
            "share": a.share,
            "paragraphs": a.paragraphs,
            "of": a.total,
            "changed": a.changed,
            "dropped": a.doc in result.dropped_articles(),
        } for a in result.articles],
        "files": files,
        "boilerplate": [{
            "text": b.text,
            "files": b.files,
            "removed": b.removed,
            "occurrences": [{"path": docs[r.doc].path, "lines": list(ref_lines(result, r))}
                            for r in b.occurrences],
        } for b in result.boilerplate],
        "skipped": list(result.skipped),
    }


class JsonFormat:
    name = "json"
    filename = "report.json"

    def render(self, result: ScanResult) -> str:
        return dumps(as_dict(result))


def dumps(data: dict) -> str:
    """JSON with one top-level key, and one list item, per line.

    As readable as an indented dump for a report of many findings, and made
    by the C encoder (``indent`` would switch json to its pure-Python one,
    several times slower on a report of 100,000 findings).
    """
    def one(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(one(item) for item in value)
            parts.append(f"  {one(key)}: [\n    {items}\n  ]")
        else:
            parts.append(f"  {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
