"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards.

One result per whole-article repeat and per paragraph finding outside one,
located at the new file's lines; the kept twin (a stored file or another new
article) is a related location. Partial
fingerprints are built from the paragraph keys, not line numbers, so a
dashboard tracks the same repeat across commits.
"""

from __future__ import annotations

import hashlib
import json

from ..version import __version__
from ..gate.check import CheckReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES = [
    {"id": "dedup/exact-repeat", "name": "ExactRepeat",
     "shortDescription": {"text": "Paragraph repeats another paragraph exactly "
                                  "(after normalisation)."}},
    {"id": "dedup/near-repeat", "name": "NearRepeat",
     "shortDescription": {"text": "Paragraph is a near repeat or truncated copy of another."}},
    {"id": "dedup/repeated-block", "name": "RepeatedBlock",
     "shortDescription": {"text": "Run of paragraphs repeating consecutive paragraphs "
                                  "of another article."}},
    {"id": "dedup/repeated-article", "name": "RepeatedArticle",
     "shortDescription": {"text": "Most of the article's text repeats another article."}},
    {"id": "dedup/updated-article", "name": "UpdatedArticle",
     "shortDescription": {"text": "The article repeats another but for changed numbers."}},
]
RULE_OF = {"exact": 0, "near": 1, "block": 2, "repeat": 3, "update": 4}


def _location(path: str, first: int, last: int) -> dict:
    return {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": first, "endLine": last}}


class SarifFormat:
    name = "sarif"

    def render(self, report: CheckReport) -> str:
        results = []
        for a in report.articles:
            rule = RULE_OF[a.relation]
            results.append({
                "ruleId": RULES[rule]["id"],
                "ruleIndex": rule,
                "level": "error" if a.relation == "repeat" else "note",
                "message": {"text": a.message()},
                "locations": [{"physicalLocation": _location(a.path, a.first_line,
                                                             a.last_line)}],
                "relatedLocations": [{
                    "id": 1,
                    "message": {"text": ("stored in the index" if a.kept_in_index
                                         else "another new article")},
                    "physicalLocation": {"artifactLocation": {"uri": a.kept_path,
                                                              "uriBaseId": "%SRCROOT%"}}}],
                "partialFingerprints": {"dedupArticle/v1": hashlib.sha256(
                    f"{a.path}\0{a.kept_path}\0{a.relation}".encode()).hexdigest()[:32]},
                "properties": {"share": a.share, "paragraphs": a.paragraphs,
                               "inIndex": a.kept_in_index},
            })
        for f in report.unexplained():
            rule = RULE_OF.get(f.kind, 1)
            results.append({
                "ruleId": RULES[rule]["id"],
                "ruleIndex": rule,
                "level": "error",
                "message": {"text": f.message()},
                "locations": [{"physicalLocation": _location(f.path, f.first_line,
                                                             f.last_line)}],
                "relatedLocations": [{
                    "id": 1,
                    "message": {"text": ("stored in the index" if f.kept_in_index
                                         else "another new article")},
                    "physicalLocation": _location(f.kept_path, f.kept_first_line,
                                                  f.kept_last_line)}],
                "partialFingerprints": {
                    "dedupRepeat/v1": hashlib.sha256("".join(
                        r.key + r.kept_key for r in f.repeats).encode()).hexdigest()[:32]},
                "properties": {"score": f.score, "paragraphs": len(f.repeats),
                               "inIndex": f.kept_in_index},
            })
        sarif = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "dedup", "version": __version__,
                                    "semanticVersion": __version__, "rules": RULES}},
                "originalUriBaseIds": {"%SRCROOT%": {"description": {
                    "text": "The folder dedup check ran in."}}},
                "results": results,
                "invocations": [{
                    "executionSuccessful": True,
                    "toolExecutionNotifications": [
                        {"level": "warning", "message": {"text": line}}
                        for line in report.skipped],
                }],
                "properties": {"index": report.index, "indexFiles": report.index_files,
                               "indexParagraphs": report.index_paragraphs,
                               "accepted": len(report.accepted),
                               "boilerplate": len(report.boilerplate)},
            }],
        }
        return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
