"""``--format json``: the machine-readable check result.

Top level: ``schema`` ("dedup.check"), ``version``, ``passed``, ``index``
(path, files, paragraphs), ``summary``, ``findings`` (blocking: each with the
new file and lines, kind, score, the kept twin's path and lines, whether the
twin is in the index, whether it lies in a whole-article repeat, and its
paragraphs with their keys), ``articles`` (whole-article repeats, which
block, and updates, which do not), ``accepted`` and ``accepted_articles``
(what the baseline accepts), ``already_indexed`` (the same path and bytes are
stored: not checked), ``boilerplate`` (single paragraphs, not blocking),
``skipped``, ``added`` (with ``--add``), ``settings`` and ``stats``.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from ..gate.check import CheckReport

SCHEMA = "dedup.check"
VERSION = 1


def _repeat(r) -> dict:
    return {"path": r.path, "lines": [r.first_line, r.last_line], "paragraph": r.para,
            "key": r.key, "kind": r.kind, "score": r.score, "detail": r.detail,
            "repeats": {"path": r.kept_path, "lines": [r.kept_first_line, r.kept_last_line],
                        "paragraph": r.kept_para, "key": r.kept_key,
                        "in_index": r.kept_in_index}}


def _article(a) -> dict:
    return {"path": a.path, "lines": [a.first_line, a.last_line], "relation": a.relation,
            "share": a.share, "paragraphs": a.paragraphs, "total": a.total,
            "changed": a.changed, "identical": a.identical, "message": a.message(),
            "repeats": {"path": a.kept_path, "in_index": a.kept_in_index}}


def as_dict(report: CheckReport) -> dict:
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "passed": report.passed,
        "index": {"path": report.index, "files": report.index_files,
                  "paragraphs": report.index_paragraphs},
        "summary": {"files": len(report.files), "paragraphs": report.paragraphs,
                    "findings": len(report.findings), "repeated": len(report.repeats),
                    "files_with_repeats": len({f.path for f in report.findings}),
                    "article_repeats": len(report.repeated_articles),
                    "accepted": len(report.accepted) + len(report.accepted_articles),
                    "boilerplate": len(report.boilerplate),
                    "already_indexed": len(report.already_indexed),
                    "skipped": len(report.skipped)},
        "findings": [{
            "path": f.path, "lines": [f.first_line, f.last_line], "kind": f.kind,
            "score": f.score, "message": f.message(),
            "in_article_repeat": report.article_of(f) is not None,
            "repeats": {"path": f.kept_path, "lines": [f.kept_first_line, f.kept_last_line],
                        "in_index": f.kept_in_index},
            "paragraphs": [_repeat(r) for r in f.repeats],
        } for f in report.findings],
        "articles": [_article(a) for a in report.articles],
        "accepted": [_repeat(r) for r in report.accepted],
        "accepted_articles": [_article(a) for a in report.accepted_articles],
        "already_indexed": list(report.already_indexed),
        "boilerplate": [_repeat(r) for r in report.boilerplate],
        "skipped": list(report.skipped),
        "added": asdict(report.added) if report.added is not None else None,
        "settings": report.settings,
        "stats": report.stats,
    }


class JsonFormat:
    name = "json"

    def render(self, report: CheckReport) -> str:
        return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
