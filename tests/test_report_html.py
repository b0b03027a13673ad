"""report.html in depth, without a browser: self-contained, safe, linked, capped.

The page is parsed with the standard library's HTML parser; the browser tests
(test_browser.py) check what it does when it runs.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from html.parser import HTMLParser

import pytest

from dedup import Config, scan_texts
from dedup.report import html as html_format
from dedup.report import render
from test_report_formats import FORMAT_CONFIG, INJECTION, P1, P2, P3, corpus_texts

VOID = {"meta", "input", "br", "img", "hr", "link", "wbr", "col", "area", "base", "source"}


class Page(HTMLParser):
    """Elements, ids, links and text of a page; checks that tags nest."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.raw: dict[str, list[str]] = {"style": [], "script": []}
        self._raw_tag: str | None = None
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        self.tags.append((tag, attrs_d))
        if "id" in attrs_d:
            self.ids.append(attrs_d["id"])
        if tag == "a" and "href" in attrs_d:
            self.hrefs.append(attrs_d["href"])
        if tag in ("style", "script"):
            self._raw_tag = tag
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        self._raw_tag = None

    def handle_data(self, data):
        if self._raw_tag:
            self.raw[self._raw_tag].append(data)
        else:
            self.text.append(data)

    def elements(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]


def _words(rng: random.Random, n: int = 24) -> str:
    vocab = ("harbour council ferry winter storm island market cotton export margin blaze "
             "warehouse railway depot festival bread cheese concert square scholarship rural "
             "bequest lecturer bridge arch lorry bypass repair levy parking village retail "
             "forecast shower flood valley library sewing machine hospital theatre nurse shift "
             "mayor budget tram canal orchard vineyard quarry lighthouse").split()
    return " ".join(rng.choice(vocab) for _ in range(n)).capitalize() + "."


def _distinct(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [_words(rng) for _ in range(n)]


@pytest.fixture(scope="module")
def result():
    return scan_texts(corpus_texts(), Config(**FORMAT_CONFIG))


@pytest.fixture(scope="module")
def page_text(result):
    return render(result, "html")


@pytest.fixture(scope="module")
def page(page_text):
    return Page(page_text)


def test_the_page_is_well_formed_with_unique_ids(page):
    assert page.errors == []
    assert len(page.ids) == len(set(page.ids))


def test_every_internal_link_has_a_target(page):
    ids = set(page.ids)
    internal = [h for h in page.hrefs if h.startswith("#")]
    assert internal and all(h[1:] in ids for h in internal)
    assert [h for h in page.hrefs if not h.startswith("#")] == []


def test_the_page_is_self_contained(page, page_text):
    assert page.elements("link") == [] and page.elements("img") == []
    assert page.elements("iframe") == [] and page.elements("object") == []
    assert not [a for _, a in page.tags if "src" in a]
    assert not re.search(r"https?://|@import|url\(|@font-face", page_text)
    assert len(page.elements("script")) == 1 and len(page.elements("style")) == 1


def test_a_strict_csp_allows_only_the_page_own_style_and_script(page):
    csp = [m["content"] for m in page.elements("meta")
           if m.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    rules = dict(r.strip().split(" ", 1) for r in csp[0].split(";") if r.strip())
    assert rules["default-src"] == "'none'"
    for kind in ("style", "script"):
        source = "".join(page.raw[kind])
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert rules[f"{kind}-src"] == f"'sha256-{digest}'"
    assert "unsafe" not in csp[0]


def test_article_text_is_escaped(page, page_text):
    # The injection is shown (twice: kept and removed), as text, and creates nothing.
    assert "".join(page.text).count(INJECTION) == 2
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert page.elements("img") == [] and len(page.elements("script")) == 1
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;" in page_text


def test_hostile_file_names_are_escaped():
    name = '"><img src=x onerror=alert(1)>.txt'
    texts = {name: f"{P1}\n\n{P1}\n", "z.txt": f"{P2}\n"}
    result = scan_texts(texts, Config(jobs=1))
    assert result.findings
    text = render(result, "html")
    page = Page(text)
    assert page.errors == [] and page.elements("img") == []
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.txt" in text


def test_summary_counts_and_settings(page):
    text = " ".join(" ".join(page.text).split())
    assert "Files scanned 6" in text.replace("files scanned", "Files scanned")
    assert "removed 11 exact 4 · near 1 · boilerplate 6" in text
    settings = [r for r in page.elements("table")]
    assert settings
    assert "near_threshold 90.0" in text and "boilerplate_min_files 5" in text


def test_each_removal_names_its_kind_score_and_kept_twin(result, page_text):
    docs = result.documents
    for ref, removal in result.removals.items():
        row = re.search(rf'<div class="row del" id="p{ref.doc}-{ref.para}" '
                        rf'data-kind="{removal.kind}">(.*?)</div></div>', page_text, re.S)
        assert row
        if removal.kind == "boilerplate":
            assert "in 6 files" in row.group(1) and 'href="#bp0"' in row.group(1)
        else:
            kept = docs[removal.kept.doc].paragraphs[removal.kept.para]
            assert f'href="#p{removal.kept.doc}-{removal.kept.para}"' in row.group(1)
            assert f"line {kept.first_line}</a>" in row.group(1)
            assert "score " in row.group(1)


def test_kept_twins_carry_anchors_and_links_back(result, page_text):
    # a.txt paragraph 2 (P1) is kept; b.txt paragraph 1 repeats it
    kept_row = re.search(r'<div class="row kept" id="p0-2">.*?</div></div>', page_text, re.S)
    assert kept_row and 'href="#p1-1">b.txt, line 3</a>' in kept_row.group()


def test_near_repeats_mark_the_differing_words_on_both_sides(page_text):
    row = re.search(r'id="p1-1" data-kind="near">.*?</code>', page_text, re.S).group()
    assert '<mark class="dw">in</mark>' in row
    assert 'kept twin, differing words marked' in row
    assert '<mark class="iw">' not in row      # nothing was inserted on the kept side


def test_near_substitution_marks_words_on_the_kept_side():
    # A misspelt word: a substitution the engine counts as a repeat (another
    # word, "expenses" for "costs", would be another statement, and kept).
    changed = P1.replace("housing costs", "housing kosts")
    result = scan_texts({"a.txt": f"{P1}\n", "b.txt": f"{changed}\n"},
                        Config(jobs=1, near_threshold=85))
    assert len(result.removals) == 1
    text = render(result, "html")
    assert '<mark class="dw">kosts.</mark>' in text
    assert '<mark class="iw">costs.</mark>' in text


def test_clusters_list_the_kept_paragraph_and_every_copy(page_text):
    clusters = re.findall(r'<details class="cluster".*?</details>', page_text, re.S)
    assert len(clusters) == 3
    near = [c for c in clusters if "central bank" in c][0]
    assert '<span class="badge kept">kept</span> <a class="ref" href="#p0-2">a.txt, line 5</a>' \
        in near
    assert 'data-kind="near"' in near and "b.txt, line 3" in near


def test_boilerplate_is_listed_with_its_counts(page_text):
    row = re.search(r'<tr id="bp0".*?</tr>', page_text, re.S).group()
    assert "Follow us on social media" in row
    assert re.search(r'<td class="num">6</td><td class="num">6</td><td class="num">6</td>', row)
    assert row.count('class="ref"') == 6


def test_a_file_holding_only_kept_twins_gets_a_section():
    # A paragraph long enough to repeat in another story on its own (see dedup.decisions.context).
    p2 = P2[:-1] + ", according to a survey of economists published by the agency."
    texts = {"k.txt": f"{P1}\n\n{p2}\n", "r.txt": f"Own opening line of this story, "
             f"long enough to count as a paragraph.\n\n{p2}\n\n{P3}\n"}
    result = scan_texts(texts, Config(jobs=1))
    assert [(f.doc, f.kept_doc) for f in result.findings] == [(1, 0)]
    text = render(result, "html")
    assert '<details class="file" id="f0" data-kinds="kept"' in text
    assert 'id="p0-1"' in text and 'href="#p0-1">k.txt, line 3</a>' in text
    assert "1 files with repeats removed, then 1 that only hold kept twins" in text


def test_whole_article_repeats_are_listed_and_announced():
    body = _distinct(4, seed=3)
    texts = {"orig.txt": "\n\n".join(body) + "\n",
             "copy.txt": "\n\n".join(body + ["One more paragraph that only the copy has, "
                                             "with words enough to count here."]) + "\n"}
    result = scan_texts(texts, Config(jobs=1))
    if not result.articles:
        pytest.skip("this engine reports no whole-article repeats")
    text = render(result, "html")
    assert "Whole-article repeats" in text and 'class="badge rel-repeat"' in text
    assert re.search(r'<div class="banner">.*?This article repeats', text)


def test_no_repeats_renders_a_calm_page():
    result = scan_texts({"a.txt": f"{P1}\n", "b.txt": f"{P2}\n"}, Config(jobs=1))
    page = Page(render(result, "html"))
    text = " ".join(page.text)
    assert page.errors == []
    assert "No paragraph is repeated across articles" in text
    assert "No boilerplate found." in text
    assert page.elements("details") and not [a for a in page.elements("details")
                                              if "file" in a.get("class", "")]


def test_findings_per_file_are_capped_and_the_cap_is_said(monkeypatch):
    monkeypatch.setattr(html_format, "MAX_FINDINGS_PER_FILE", 5)
    paras = _distinct(12)
    # each paragraph again, in reverse order: twelve separate findings (no blocks)
    result = scan_texts({"big.txt": "\n\n".join(paras + paras[::-1]) + "\n"}, Config(jobs=1))
    assert len(result.findings) == 12
    text = render(result, "html")
    assert "Showing 5 of 12 findings in this file; report.json lists all." in text
    assert text.count('<div class="row del"') == 5
    assert Page(text).errors == []


def test_big_corpora_are_paged_and_collapsed(monkeypatch):
    monkeypatch.setattr(html_format, "PAGE_SIZE", 10)
    shared = _distinct(1, seed=11)[0]
    own = _distinct(30, seed=12)
    texts = {f"f{i:03d}.txt": f"{own[i]}\n\n{shared}\n" for i in range(30)}
    result = scan_texts(texts, Config(jobs=1))
    text = render(result, "html")
    sections = re.findall(r'<details class="file"[^>]*>', text)
    assert len(sections) == 30
    assert sum(" hidden" in s for s in sections) == 20
    assert not [s for s in sections if " open" in s]
    assert 'data-page-size="10"' in text


def test_long_paragraphs_are_clipped_and_say_so(monkeypatch):
    monkeypatch.setattr(html_format, "MAX_TEXT", 50)
    result = scan_texts({"a.txt": f"{P1}\n\n{P1}\n"}, Config(jobs=1))
    text = render(result, "html")
    assert f"{len(P1) - 50:,} more characters not shown" in text


def test_clusters_are_capped(monkeypatch):
    monkeypatch.setattr(html_format, "MAX_CLUSTERS", 1)
    text = render(scan_texts(corpus_texts(), Config(**FORMAT_CONFIG)), "html")
    assert "Showing the 1 largest of 3 clusters" in text
