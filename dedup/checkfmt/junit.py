"""``--format junit``: JUnit XML, one test case per new file, failed when it repeats."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..gate.check import CheckReport
from .text import finding_lines


class JunitFormat:
    name = "junit"

    def render(self, report: CheckReport) -> str:
        failed_files = ({f.path for f in report.findings}
                        | {a.path for a in report.repeated_articles})
        suites = ET.Element("testsuites", name="dedup check")
        suite = ET.SubElement(suites, "testsuite", {
            "name": "dedup check",
            "tests": str(len(report.files) + len(report.skipped)),
            "failures": str(len(failed_files)),
            "errors": "0",
            "skipped": str(len(report.skipped)),
            "time": f"{report.stats.get('seconds', 0):.3f}",
        })
        props = ET.SubElement(suite, "properties")
        for name, value in (("index", report.index), ("index_files", report.index_files),
                            ("index_paragraphs", report.index_paragraphs)):
            ET.SubElement(props, "property", name=name, value=str(value))
        lines = finding_lines(report)
        for path in report.files:
            case = ET.SubElement(suite, "testcase", classname="dedup.check", name=path,
                                 file=path)
            findings = report.findings_in(path)
            if path in failed_files:
                repeats = sum(len(f.repeats) for f in findings)
                whole = any(a.path == path for a in report.repeated_articles)
                failure = ET.SubElement(case, "failure",
                                        type="repeated-article" if whole
                                        else "repeated-paragraph",
                                        message="whole-article repeat" if whole else
                                        f"{repeats} repeated paragraph"
                                        f"{'s' if repeats != 1 else ''}")
                failure.text = "\n".join(line for line in lines
                                         if line.startswith(path + ":"))
        for line in report.skipped:
            case = ET.SubElement(suite, "testcase", classname="dedup.check",
                                 name=line.split(":", 1)[0])
            ET.SubElement(case, "skipped", message=line)
        ET.indent(suites)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                + ET.tostring(suites, encoding="unicode") + "\n")
