"""``--format json``: the machine-readable findings (schema in docs/json-schema.md)."""

from __future__ import annotations

import json

from ..model import ScanResult
from .interface import finding_lines, ref_lines, summary

SCHEMA = "dedup.scan"
VERSION = 1


def _file_entries(result: ScanResult):
    """``(file entry without its findings, findings)`` of every file with findings,
    in document order, one file at a time."""
    docs = result.documents
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
        yield ({"path": doc.path, "paragraphs": doc.count,
                "removed": len(result.removed_in(doc_no))}, items)


def _parts(result: ScanResult) -> list[tuple[str, object]]:
    """The document's top-level keys in order, ``files`` as a generator."""
    docs = result.documents
    dropped = result.dropped_articles()
    return [
        ("schema", SCHEMA),
        ("version", VERSION),
        ("settings", result.settings),
        ("summary", summary(result)),
        ("articles", [{
            "path": docs[a.doc].path,
            "relation": a.relation,
            "repeats": docs[a.kept_doc].path,
            "share": a.share,
            "paragraphs": a.paragraphs,
            "of": a.total,
            "changed": a.changed,
            "dropped": a.doc in dropped,
        } for a in result.articles]),
        ("files", _file_entries(result)),
        ("boilerplate", [{
            "text": b.text,
            "files": b.files,
            "removed": b.removed,
            "occurrences": [{"path": docs[r.doc].path, "lines": list(ref_lines(result, r))}
                            for r in b.occurrences],
        } for b in result.boilerplate]),
        ("skipped", list(result.skipped)),
    ]


def as_dict(result: ScanResult) -> dict:
    return {key: ([dict(entry, findings=items) for entry, items in value]
                  if key == "files" else value)
            for key, value in _parts(result)}


class JsonFormat:
    name = "json"
    filename = "report.json"

    def render(self, result: ScanResult) -> str:
        return "".join(self.chunks(result))

    def chunks(self, result: ScanResult):
        """The document in pieces, as it is made: one top-level key, one list
        item and one finding per line, so a large report is written without
        being held whole, and a reader can take it a line at a time."""
        def one(value) -> str:
            return json.dumps(value, ensure_ascii=False)

        yield "{"
        for n, (key, value) in enumerate(_parts(result)):
            yield f"{',' if n else ''}\n  {one(key)}: "
            if key == "files":
                yield from _files_lines(value, one)
            elif isinstance(value, list) and value:
                yield "[\n    " + ",\n    ".join(one(item) for item in value) + "\n  ]"
            else:
                yield one(value)
        yield "\n}\n"


def _files_lines(entries, one):
    """The ``files`` list: each file's own fields on its line, then its findings."""
    first = True
    for entry, items in entries:
        head = one(entry)[:-1]          # the entry's object left open for its findings
        yield ("[\n    " if first else ",\n    ") + head + ', "findings": [\n      '
        yield ",\n      ".join(one(item) for item in items) + "\n    ]}"
        first = False
    yield "[]" if first else "\n  ]"
