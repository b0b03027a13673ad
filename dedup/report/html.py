"""``report.html``: one self-contained page to review what ``clean`` removes.

The page needs nothing but itself: CSS and JavaScript are inline, there are
no fonts, images or requests, and a Content-Security-Policy allows only the
page's own style and script (by hash), so it opens from disk on an air-gapped
machine and nothing an article says can run: every piece of article text and
every path goes through :func:`html.escape`.

What it shows:

- a summary (files, paragraphs, repeats by kind, bytes removed, settings);
- a sticky bar to filter by kind, search file names, page through files and
  switch between the diff and the cleaned text;
- clusters of cross-article repeats: each kept paragraph with every removal
  that points to it;
- boilerplate with its counts;
- one section per file: the original with each removed paragraph struck
  through beside the reason (kind, score, a link to the kept twin, and for a
  near repeat the twin's text with the differing words marked); kept
  paragraphs that others repeat carry an anchor and links back.

Big corpora stay usable: file sections are collapsed and paged, a file shows
at most ``MAX_FINDINGS_PER_FILE`` findings, long unchanged stretches fold to
one line, and every cap says what it left out (``report.json`` has all).
"""

from __future__ import annotations

import base64
import hashlib
import shlex
from collections import defaultdict
from html import escape

from .explain import changed_words, words
from ..model import BLOCK, BOILERPLATE, KINDS, NEAR, Finding, Ref, Removal, ScanResult
from .interface import span, summary

MAX_FINDINGS_PER_FILE = 40     # findings embedded per file section
MAX_BACKLINKS = 8              # "repeated by" links on a kept paragraph
MAX_CLUSTERS = 300             # cross-article clusters listed
MAX_CLUSTER_MEMBERS = 40       # members listed per cluster
MAX_BOILERPLATE = 200          # boilerplate lines listed
MAX_OCCURRENCES = 8            # sample occurrences per boilerplate line
MAX_SKIPPED = 200
MAX_ARTICLES = 500             # whole-article repeats listed
FULL_FILE_PARAGRAPHS = 60      # files up to this size are shown whole; larger: context only
CONTEXT = 1                    # unchanged paragraphs shown around a change
MAX_TEXT = 5000                # characters of one paragraph shown
PAGE_SIZE = 50                 # file sections per page
MAX_FILE_SECTIONS = 400        # file sections in the page (the files with most removed)
MAX_LISTED_FILES = 1000        # further changed files listed by name and counts
OPEN_FILES = 12                # sections open at load when there are at most this many
BLOCK_ROWS = 3                 # rows of a long exact block shown before the rest is folded
MAX_BLOCK_ROWS = 60            # rows of one block in the page at most
MAX_KEPT_ROWS = 200            # kept twins of one file shown with their backlinks

def _e(text: str) -> str:
    return escape(text, quote=True)


def _pid(ref: Ref) -> str:
    """The anchor of a paragraph: document and paragraph number."""
    return f"p{ref.doc}-{ref.para}"


def _score(score: float) -> str:
    return "100" if score >= 100 else f"{score:.1f}"


def _clip(text: str) -> tuple[str, bool]:
    return (text, False) if len(text) <= MAX_TEXT else (text[:MAX_TEXT], True)


def _snippet(text: str, width: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "\u2026"


def _lines(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}\u2013{last}"


def _marked(text: str, changed: set[int], cls: str) -> str:
    """Escaped text with the words numbered in ``changed`` wrapped in <mark>."""
    if not changed:
        return _e(text)
    out, pos, open_ = [], 0, False
    for n, m in enumerate(words(text)):
        gap = text[pos:m.start()]
        inside = n in changed
        if open_ and not inside:
            out.append("</mark>")
            open_ = False
        out.append(_e(gap))
        if inside and not open_:
            out.append(f'<mark class="{cls}">')
            open_ = True
        out.append(_e(m.group()))
        pos = m.end()
    if open_:
        out.append("</mark>")
    out.append(_e(text[pos:]))
    return "".join(out)


def _csp_hash(source: str) -> str:
    """A CSP source expression allowing exactly this inline style or script."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


class HtmlFormat:
    name = "html"
    filename = "report.html"

    def render(self, result: ScanResult) -> str:
        return _Page(result).render()


class _Page:
    def __init__(self, result: ScanResult) -> None:
        self.r = result
        self.docs = result.documents
        self.summary = summary(result)
        # kept paragraph -> removals pointing at it (boilerplate apart)
        self.repeated_by: dict[Ref, list[Removal]] = defaultdict(list)
        for removal in result.removals.values():
            if removal.kind != BOILERPLATE:
                self.repeated_by[removal.kept].append(removal)
        for refs in self.repeated_by.values():
            refs.sort(key=lambda r: (r.removed.doc, r.removed.para))
        self.boilerplate_of: dict[Ref, int] = {}
        for i, b in enumerate(result.boilerplate):
            for ref in b.occurrences:
                self.boilerplate_of[ref] = i
        self.article_of = {a.doc: a for a in result.articles}
        self.copies_of: dict[int, list] = defaultdict(list)
        for a in result.articles:
            self.copies_of[a.kept_doc].append(a)
        kept_docs: dict[int, set[int]] = defaultdict(set)
        for ref in self.repeated_by:
            kept_docs[ref.doc].add(ref.para)
        self.kept_in = kept_docs
        # Files with content repeats (or kept twins) first, in path order; then the
        # files whose only removals are boilerplate, which the boilerplate table sums up.
        changed = {f.doc for f in result.findings}
        self.boilerplate_only = {d for d in changed if d not in kept_docs
                                 and all(f.kind == BOILERPLATE for f in result.findings_in(d))}
        self.kept_only = set(kept_docs) - changed
        self.file_docs = (sorted(changed - self.boilerplate_only) + sorted(self.kept_only)
                          + sorted(self.boilerplate_only))
        # A page for any corpus: past MAX_FILE_SECTIONS files, the sections are
        # those of the files with the most paragraphs removed (content repeats
        # before boilerplate), in the order above; the rest are listed.
        self.removed_count: dict[int, int] = defaultdict(int)
        for ref in result.removals:
            self.removed_count[ref.doc] += 1
        self.unlisted: list[int] = []
        if len(self.file_docs) > MAX_FILE_SECTIONS:
            ranked = sorted(self.file_docs, key=lambda d: (
                d in self.boilerplate_only, -self.removed_count[d], self.docs[d].path))
            chosen = set(ranked[:MAX_FILE_SECTIONS])
            self.unlisted = [d for d in ranked[MAX_FILE_SECTIONS:]]
            self.file_docs = [d for d in self.file_docs if d in chosen]
        self.rendered: dict[int, set[int]] = {}     # paragraphs given an anchor, by document
        self.shown_findings: dict[int, list[Finding]] = {}
        for d in self.file_docs:
            self._plan(d)

    # -- planning: which paragraphs of a file are shown ------------------------------

    def _plan(self, d: int) -> None:
        findings = self.r.findings_in(d)
        shown = findings[:MAX_FINDINGS_PER_FILE]
        self.shown_findings[d] = shown
        n = len(self.docs[d].paragraphs)
        removed = {r.removed.para for f in shown for r in f.removals}
        focus = {r.removed.para for f in shown if f.kind != BOILERPLATE for r in f.removals}
        focus.update(sorted(self.kept_in.get(d, ()))[:MAX_KEPT_ROWS])
        if focus and n <= FULL_FILE_PARAGRAPHS and len(findings) <= MAX_FINDINGS_PER_FILE:
            show = set(range(n))
        else:
            show = set(removed) | focus
            for p in focus:
                show.update(range(max(0, p - CONTEXT), min(n, p + CONTEXT + 1)))
        self.rendered[d] = show

    # -- links ----------------------------------------------------------------------

    def _where(self, ref: Ref, here: int | None = None, last: int | None = None,
               short: bool = False) -> str:
        doc = self.docs[ref.doc]
        first_line = doc.line_span(ref.para)[0]
        last_line = doc.line_span(last if last is not None else ref.para)[1]
        lines = span(first_line, last_line)
        if short:
            return lines
        return f"this file, {lines}" if here == ref.doc else f"{doc.path}, {lines}"

    def link(self, ref: Ref, here: int | None = None, last: int | None = None,
             short: bool = False) -> str:
        """A link to a paragraph: "path, lines a-b" (only the lines when ``short``)."""
        if ref.doc not in self.rendered:          # its file has no section in the page
            return _e(self._where(ref, here, last, short))
        target = _pid(ref) if ref.para in self.rendered[ref.doc] else f"f{ref.doc}"
        return f'<a class="ref" href="#{target}">{_e(self._where(ref, here, last, short))}</a>'

    def explain_cmd(self, removal: Removal) -> str:
        """The ``dedup explain`` command line for a removal and its kept twin."""
        where = []
        for ref in (removal.removed, removal.kept):
            doc = self.docs[ref.doc]
            where.append(shlex.quote(f"{doc.path}:{doc.paragraphs[ref.para].first_line}"))
        return "dedup explain " + " ".join(where)

    # -- page -----------------------------------------------------------------------

    def render(self) -> str:
        s = self.summary
        body = "".join([
            self.toolbar(),
            '<main>',
            self.summary_section(),
            self.articles_section(),
            self.clusters_section(),
            self.boilerplate_section(),
            self.files_section(),
            '</main>',
        ])
        csp = ("default-src 'none'; "
               f"style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
               "img-src data:; base-uri 'none'; form-action 'none'")
        title = (f"dedup report: {s['removed']:,} repeated paragraphs in "
                 f"{s['files_changed']:,} of {s['files']:,} files")
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                '<meta name="referrer" content="no-referrer">\n'
                f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
                f'<body data-page-size="{PAGE_SIZE}">\n{body}\n<script>{_JS}</script>\n'
                "</body>\n</html>\n")

    def toolbar(self) -> str:
        s = self.summary
        counts = {k: s["findings_by_kind"].get(k, 0) for k in KINDS}
        chips = "".join(
            f'<button type="button" class="chip k-{k}" data-filter="{k}" aria-pressed="true" '
            f'title="Show or hide {k} findings">{k} <b>{counts[k]:,}</b></button>'
            for k in KINDS)
        return (
            '<header class="bar" id="top"><div class="bar-in">'
            '<a class="brand" href="#summary">dedup <span>report</span></a>'
            f'<span class="bar-stat"><b>{s["removed"]:,}</b> removed in '
            f'<b>{s["files_changed"]:,}</b>/{s["files"]:,} files &middot; '
            f'<b>{_bytes(s["bytes_removed"])}</b></span>'
            f'<span class="chips" role="group" aria-label="Filter by kind">{chips}</span>'
            '<input id="q" type="search" placeholder="Filter files by name\u2026  ( / )" '
            'aria-label="Filter files by name" autocomplete="off" spellcheck="false">'
            '<span class="view" role="group" aria-label="View">'
            '<button type="button" id="view-diff" aria-pressed="true">Diff</button>'
            '<button type="button" id="view-clean" aria-pressed="false">Cleaned</button></span>'
            '<nav><a href="#articles">Articles</a><a href="#clusters">Clusters</a>'
            '<a href="#boilerplate">Boilerplate</a><a href="#files">Files</a></nav>'
            '</div></header>')

    # -- summary --------------------------------------------------------------------

    def summary_section(self) -> str:
        s, r = self.summary, self.r
        by_kind = s["removed_by_kind"]
        share = (100.0 * s["bytes_removed"] / s["bytes"]) if s["bytes"] else 0.0
        cards = [
            ("files scanned", f"{s['files']:,}", f"{_bytes(s['bytes'])}"),
            ("paragraphs", f"{s['paragraphs']:,}", ""),
            ("removed", f"{s['removed']:,}",
             " &middot; ".join(f'<span class="k-{k} dot">{k} {v:,}</span>'
                               for k, v in by_kind.items())),
            ("bytes removed", _bytes(s["bytes_removed"]), f"{share:.1f}% of the input"),
            ("files changed", f"{s['files_changed']:,}", f"{s['findings']:,} findings"),
            ("files skipped", f"{s['skipped']:,}", ""),
        ]
        html = ['<section id="summary" class="summary"><h1>What <code>dedup</code> removes</h1>',
                '<p class="lede">Every removed paragraph below says what it repeats, how similar '
                'it is and which kind of repeat it is; links lead to the kept twin. Kept '
                'paragraphs are never changed: the cleaned files are the originals minus the '
                'struck-through paragraphs.</p><div class="cards">']
        for label, value, sub in cards:
            html.append(f'<div class="card"><div class="label">{label}</div>'
                        f'<div class="value">{value}</div><div class="sub">{sub}</div></div>')
        html.append("</div>")
        fk = s["findings_by_kind"]
        html.append('<p class="kinds">Findings by kind: ' + ", ".join(
            f'<span class="badge k-{k}">{k}</span> {fk.get(k, 0):,}' for k in KINDS) +
            '. <span class="muted">A <i>block</i> is a run of consecutive removed paragraphs '
            'repeating a run of kept ones; <i>near</i> repeats differ in a few words (marked); '
            '<i>boilerplate</i> is a short line found in many files.</span></p>')
        settings = "".join(f"<tr><th>{_e(str(k))}</th><td>{_e(_setting(v))}</td></tr>"
                           for k, v in r.settings.items())
        stats = "".join(f"<tr><th>{_e(str(k))}</th><td>{_e(str(v))}</td></tr>"
                        for k, v in r.stats.items())
        html.append('<details class="settings"><summary>Settings used</summary>'
                    f'<table class="kv">{settings}</table>'
                    + (f'<h3>Run statistics</h3><table class="kv">{stats}</table>' if stats else "")
                    + "</details>")
        if r.skipped:
            items = "".join(f"<li>{_e(line)}</li>" for line in r.skipped[:MAX_SKIPPED])
            more = (f"<li>\u2026 and {len(r.skipped) - MAX_SKIPPED:,} more (see report.json)</li>"
                    if len(r.skipped) > MAX_SKIPPED else "")
            pairs = self.summary["not_compared"]
            label = f"{self.summary['skipped']:,} files skipped" + (
                f", {pairs:,} pairs of paragraphs not compared" if pairs else "")
            html.append(f'<details class="skipped" open><summary>{label}</summary>'
                        f'<ul>{items}{more}</ul></details>')
        html.append("</section>")
        return "".join(html)

    # -- whole articles -------------------------------------------------------------

    def file_link(self, d: int) -> str:
        path = _e(self.docs[d].path)
        return f'<a class="ref" href="#f{d}">{path}</a>' if d in self.rendered else path

    def articles_section(self) -> str:
        items = self.r.articles
        repeats = sum(1 for a in items if a.relation == "repeat")
        html = ['<section id="articles"><h2>Whole-article repeats '
                f'<span class="count">{repeats:,} repeats &middot; {len(items) - repeats:,} '
                'updates</span></h2>']
        if not items:
            html.append('<p class="muted">No article mostly repeats another.</p></section>')
            return "".join(html)
        threshold = self.r.settings.get("article_threshold")
        html.append('<p class="muted">An article <i>repeats</i> another when most of its text '
                    + (f"(at least {threshold:.0%}) " if isinstance(threshold, float) else "")
                    + 'repeats it; an <i>update</i> would, but for paragraphs whose numbers '
                    'changed (a correction or a new count): it is reported, never dropped as '
                    'a whole.</p>'
                    '<div class="scrollbox"><table class="bp arts"><thead><tr><th>Article</th>'
                    '<th>Relation</th><th>Of</th><th>Share</th><th>Paragraphs</th></tr></thead>'
                    '<tbody>')
        updates_first = sorted(items, key=lambda a: a.relation == "repeat")
        dropped = self.r.dropped_articles()
        for a in updates_first[:MAX_ARTICLES]:
            changed = f", {a.changed} with changed numbers" if a.changed else ""
            changed += "; dropped from the cleaned corpus" if a.doc in dropped else ""
            html.append(f'<tr><td class="where">{self.file_link(a.doc)}</td>'
                        f'<td><span class="badge rel-{_e(a.relation)}">{_e(a.relation)}</span></td>'
                        f'<td class="where">{self.file_link(a.kept_doc)}</td>'
                        f'<td class="num">{a.share:.0%}</td>'
                        f'<td>{a.paragraphs} of {a.total}{changed}</td></tr>')
        html.append("</tbody></table></div>")
        if len(items) > MAX_ARTICLES:
            html.append(f'<p class="cap">Showing {MAX_ARTICLES:,} of {len(items):,} article '
                        'pairs; report.json lists all.</p>')
        html.append("</section>")
        return "".join(html)

    def article_banner(self, d: int) -> str:
        notes = []
        a = self.article_of.get(d)
        if a is not None:
            verb = "repeats" if a.relation == "repeat" else "updates"
            changed = f", {a.changed} with changed numbers" if a.changed else ""
            tail = (" It is never dropped as a whole." if a.relation != "repeat"
                    else " It is left out of the cleaned corpus."
                    if d in self.r.dropped_articles() else "")
            notes.append(f'<span class="badge rel-{_e(a.relation)}">{verb}</span> This article '
                         f'{verb} {self.file_link(a.kept_doc)}: {a.share:.0%} of its text, '
                         f'{a.paragraphs} of {a.total} paragraphs{changed}.{tail}')
        copies = self.copies_of.get(d, [])
        if copies:
            links = ", ".join(f"{self.file_link(c.doc)} ({c.relation})"
                              for c in copies[:MAX_BACKLINKS])
            extra = len(copies) - MAX_BACKLINKS
            more = f" and {extra:,} more" if extra > 0 else ""
            notes.append(f'<span class="badge kept">original</span> Repeated or updated as a '
                         f'whole by {links}{more}.')
        return "".join(f'<div class="banner">{n}</div>' for n in notes)

    # -- clusters -------------------------------------------------------------------

    def clusters_section(self) -> str:
        clusters = [(kept, removals) for kept, removals in self.repeated_by.items()
                    if any(r.removed.doc != kept.doc for r in removals)]
        clusters.sort(key=lambda c: (-len(c[1]), c[0].doc, c[0].para))
        html = ['<section id="clusters"><h2>Cross-article repeats '
                f'<span class="count">{len(clusters):,} clusters</span></h2>']
        if not clusters:
            html.append('<p class="muted">No paragraph is repeated across articles '
                        '(boilerplate apart).</p></section>')
            return "".join(html)
        html.append('<p class="muted">Each cluster is one kept paragraph and every copy '
                    'removed because it repeats it, largest first.</p><div class="clusters scrollbox">')
        for kept, removals in clusters[:MAX_CLUSTERS]:
            docs = {r.removed.doc for r in removals} | {kept.doc}
            kinds = sorted({r.kind for r in removals})
            text = self.r.paragraph(kept).text
            members = []
            for r in removals[:MAX_CLUSTER_MEMBERS]:
                members.append(
                    f'<li class="k-row" data-kind="{r.kind}"><span class="badge k-{r.kind}">'
                    f'{r.kind}</span> <span class="score">{_score(r.score)}</span> '
                    f'{self.link(r.removed)}'
                    + (f' <span class="detail">{_e(r.detail)}</span>' if r.detail else "")
                    + '</li>')
            if len(removals) > MAX_CLUSTER_MEMBERS:
                extra = len(removals) - MAX_CLUSTER_MEMBERS
                members.append(f'<li class="more">\u2026 and {extra:,} more copies '
                               '(see report.json)</li>')
            html.append(
                f'<details class="cluster" data-kinds="{" ".join(kinds)}">'
                f'<summary><span class="n">{len(removals) + 1}\u00d7</span> '
                f'<span class="snip">{_e(_snippet(text))}</span> '
                f'<span class="muted">in {len(docs):,} files</span></summary>'
                f'<ul><li class="kept"><span class="badge kept">kept</span> {self.link(kept)}</li>'
                f'{"".join(members)}</ul></details>')
        html.append("</div>")
        if len(clusters) > MAX_CLUSTERS:
            html.append(f'<p class="cap">Showing the {MAX_CLUSTERS:,} largest of '
                        f'{len(clusters):,} clusters; report.json lists every removal.</p>')
        html.append("</section>")
        return "".join(html)

    # -- boilerplate ----------------------------------------------------------------

    def boilerplate_section(self) -> str:
        items = self.r.boilerplate
        policy = self.r.settings.get("boilerplate", "remove")
        html = ['<section id="boilerplate"><h2>Boilerplate '
                f'<span class="count">{len(items):,} lines &middot; policy: '
                f'{_e(str(policy))}</span></h2>']
        if not items:
            html.append('<p class="muted">No boilerplate found.</p></section>')
            return "".join(html)
        html.append('<div class="scrollbox"><table class="bp"><thead><tr><th>Line</th><th>Files</th>'
                    '<th>Occurrences</th><th>Removed</th><th>Where (first few)</th></tr>'
                    '</thead><tbody>')
        for i, b in enumerate(items[:MAX_BOILERPLATE]):
            where = ", ".join(self.link(ref) for ref in b.occurrences[:MAX_OCCURRENCES])
            if len(b.occurrences) > MAX_OCCURRENCES:
                extra = len(b.occurrences) - MAX_OCCURRENCES
                where += f', <span class="muted">\u2026 {extra:,} more</span>'
            html.append(f'<tr id="bp{i}" class="k-row" data-kind="boilerplate">'
                        f'<td class="bp-text">{_e(_snippet(b.text, 200))}</td>'
                        f'<td class="num">{b.files:,}</td>'
                        f'<td class="num">{len(b.occurrences):,}</td>'
                        f'<td class="num">{b.removed:,}</td><td class="where">{where}</td></tr>')
        html.append("</tbody></table></div>")
        if len(items) > MAX_BOILERPLATE:
            html.append(f'<p class="cap">Showing {MAX_BOILERPLATE:,} of {len(items):,} '
                        'boilerplate lines; report.json lists all.</p>')
        html.append("</section>")
        return "".join(html)

    # -- files ----------------------------------------------------------------------

    def files_section(self) -> str:
        total = len(self.file_docs) + len(self.unlisted)
        bp_only, kept_only = len(self.boilerplate_only), len(self.kept_only)
        count = f"{total - bp_only - kept_only:,} files with repeats removed"
        if kept_only:
            count += f", then {kept_only:,} that only hold kept twins"
        if bp_only:
            count += f", then {bp_only:,} where only boilerplate is removed"
        html = ['<section id="files"><h2>Files '
                f'<span class="count">{count}</span></h2>',
                '<div class="pager" id="pager" hidden><button type="button" id="prev">'
                '\u2190 Previous</button><span id="pageinfo"></span>'
                '<button type="button" id="next">Next \u2192</button>'
                '<button type="button" id="expand">Expand page</button>'
                '<button type="button" id="collapse">Collapse page</button></div>',
                '<noscript><p class="cap">JavaScript is off: filters and paging need it; '
                f'only the first {PAGE_SIZE} files are shown.</p></noscript>',
                '<p class="muted" id="nomatch" hidden>No file matches the filter.</p>']
        open_all = total <= OPEN_FILES
        for n, d in enumerate(self.file_docs):
            html.append(self.file_section(d, open_all, hidden=n >= PAGE_SIZE))
        html.append(self.unlisted_section())
        html.append("</section>")
        return "".join(html)

    def unlisted_section(self) -> str:
        """The changed files past ``MAX_FILE_SECTIONS``: names and counts only."""
        if not self.unlisted:
            return ""
        listed = self.unlisted[:MAX_LISTED_FILES]
        rows = "".join(
            f'<tr><td class="path">{_e(self.docs[d].path)}</td>'
            f'<td class="num">{self.removed_count[d]}</td>'
            f'<td class="num">{self.docs[d].count}</td></tr>' for d in listed)
        more = len(self.unlisted) - len(listed)
        return (f'<details class="unlisted" id="unlisted"><summary>{len(self.unlisted):,} more '
                f'changed files, without their diffs here (the page shows the '
                f'{len(self.file_docs):,} with the most paragraphs removed)</summary>'
                '<table><thead><tr><th>file</th><th>removed</th><th>paragraphs</th></tr>'
                f'</thead><tbody>{rows}</tbody></table>'
                + (f'<p class="cap">... and {more:,} more; report.json lists every file and '
                   'finding.</p>' if more else
                   '<p class="cap">report.json lists their findings.</p>')
                + '</details>')

    def file_section(self, d: int, open_: bool, hidden: bool) -> str:
        doc = self.docs[d]
        findings = self.r.findings_in(d)
        shown = self.shown_findings[d]
        removed = self.r.removed_in(d)
        kinds = sorted({f.kind for f in findings}) or ["kept"]
        removed_bytes = sum(len(doc.encode(doc.paragraphs[p].text)) for p in removed)
        badges = "".join(
            f'<span class="badge k-{k}">{k} {sum(1 for f in findings if f.kind == k)}</span>'
            for k in KINDS if any(f.kind == k for f in findings))
        article = self.article_of.get(d)
        if article is not None:
            badges += (f'<span class="badge rel-{_e(article.relation)}" title="whole-article '
                       f'{_e(article.relation)}">article {_e(article.relation)}</span>')
        kept_n = len(self.kept_in.get(d, ()))
        if kept_n:
            plural = "s" if kept_n > 1 else ""
            badges += f'<span class="badge kept">kept twin{plural} {kept_n}</span>'
        if d in self.boilerplate_only:
            badges = ""       # the meta says it: a lean section for the commonest case
            meta = f"boilerplate only: {len(removed)} of {doc.count} paragraphs"
        else:
            meta = (f"{len(removed)} of {doc.count} paragraphs removed"
                    + (f" &middot; {_bytes(removed_bytes)}" if removed else ""))
        attrs = (f'class="file" id="f{d}" data-kinds="{" ".join(kinds)}"'
                 + (" open" if open_ else "") + (" hidden" if hidden else ""))
        out = [f'<details {attrs}><summary><span class="path">{_e(doc.path)}</span>'
               f'<span class="meta">{meta}</span><span class="badges">{badges}</span></summary>',
               self.article_banner(d)]
        if d in self.boilerplate_only:
            # Lean: no column heads, no folded stretches; the lines removed and why.
            out.append('<div class="diff">')
            out += [self.finding_rows(d, f) for f in shown]
        else:
            out.append('<div class="diff"><div class="row head"><div class="ln">line</div>'
                       '<div class="txt"><span class="h-diff">Original (removed paragraphs '
                       'struck through)</span><span class="h-clean">Cleaned text (original '
                       'line numbers)</span></div>'
                       '<div class="why">Why it is removed / what it repeats</div></div>')
            out.append(self.diff_rows(d, shown))
        out.append("</div>")
        if len(findings) > len(shown):
            out.append(f'<p class="cap">Showing {len(shown)} of {len(findings)} findings in this '
                       'file; report.json lists all.</p>')
        out.append("</details>")
        return "".join(out)

    def diff_rows(self, d: int, shown: list[Finding]) -> str:
        doc = self.docs[d]
        show = self.rendered[d]
        finding_at = {f.first: f for f in shown}
        covered = {p for f in shown for p in range(f.first, f.last + 1)}
        out: list[str] = []
        n = len(doc.paragraphs)
        i = 0
        while i < n:
            if i not in show:
                j = i
                while j < n and j not in show:
                    j += 1
                first, last = doc.paragraphs[i].first_line, doc.paragraphs[j - 1].last_line
                count = j - i
                out.append(f'<div class="row gap"><div class="ln">\u22ee</div><div class="txt">'
                           f'{count} unchanged paragraph{"s" if count > 1 else ""} '
                           f'({span(first, last)}) not shown</div></div>')
                i = j
                continue
            finding = finding_at.get(i)
            if finding is not None:
                out.append(self.finding_rows(d, finding))
                i = finding.last + 1
                continue
            if i in covered:   # pragma: no cover - findings are visited from their first paragraph
                i += 1
                continue
            out.append(self.plain_row(d, i))
            i += 1
        return "".join(out)

    def plain_row(self, d: int, i: int) -> str:
        para = self.docs[d].paragraphs[i]
        text, clipped = _clip(para.text)
        ref = Ref(d, i)
        backs = self.repeated_by.get(ref)
        removed_here = i in self.r.removed_in(d)
        cls = "row same"
        why = ""
        if backs:
            cls = "row kept"
            # The next paragraph of a kept run repeated by the same files: say it briefly.
            before = self.repeated_by.get(Ref(d, i - 1), ())
            continues = (len(before) == len(backs) and all(
                a.removed.doc == b.removed.doc and a.removed.para + 1 == b.removed.para
                for a, b in zip(before, backs)))
            shown = backs[:MAX_BACKLINKS]
            links = ", ".join(self.link(r.removed, d, short=continues) for r in shown)
            if len(backs) > MAX_BACKLINKS:
                links += f' <span class="muted">and {len(backs) - MAX_BACKLINKS:,} more</span>'
            if continues:
                why = f'<div class="why cont">↳ continues: {links}</div>'
            else:
                why = (f'<div class="why"><span class="badge kept">kept</span> repeated by '
                       f'{len(backs):,}: {links}</div>')
        if removed_here:   # a removal beyond the per-file cap
            cls = "row del capped"
        return (f'<div class="{cls}" id="{_pid(ref)}"><div class="ln">'
                f'{_lines(para.first_line, para.last_line)}</div>'
                f'<div class="txt">{_e(text)}{_more(clipped, para.text)}</div>{why}</div>')

    def finding_rows(self, d: int, f: Finding) -> str:
        cls = "finding k-row k-block" if f.kind == BLOCK else "finding k-row"
        out = [f'<div class="{cls}" data-kind="{f.kind}">']
        if f.kind == BLOCK:
            kinds = "/".join(sorted({r.kind for r in f.removals}))
            out.append(
                f'<div class="row fhead"><div class="ln"></div><div class="txt">'
                f'<span class="badge k-block">block</span> {len(f.removals)} consecutive '
                f'paragraphs ({kinds}, lowest score {_score(f.score)}) repeat '
                f'{self.link(Ref(f.kept_doc, f.kept_first), d, f.kept_last)}</div></div>')
        rows = [self.removed_row(d, r, in_block=f.kind == BLOCK)
                for r in f.removals[:MAX_BLOCK_ROWS]]
        exact = all(r.kind != NEAR for r in f.removals)
        if exact and len(rows) > BLOCK_ROWS + 1:
            # A long run of exact copies: its start, then the rest folded (links unfold it).
            doc = self.docs[d]
            first = doc.paragraphs[f.removals[BLOCK_ROWS].removed.para].first_line
            last = doc.paragraphs[f.last].last_line
            out += rows[:BLOCK_ROWS]
            out.append(f'<details class="rest"><summary class="row more"><div class="ln">'
                       f'\u22ee</div><div class="txt">{len(f.removals) - BLOCK_ROWS} more '
                       f'removed paragraphs of this block ({span(first, last)}), each an exact '
                       f'copy: show them</div></summary>{"".join(rows[BLOCK_ROWS:])}'
                       f'{self._block_cap(f)}</details>')
        else:
            out += rows
            out.append(self._block_cap(f))
        out.append("</div>")
        return "".join(out)

    def _block_cap(self, f: Finding) -> str:
        """What a block longer than ``MAX_BLOCK_ROWS`` leaves out of the page."""
        left = len(f.removals) - MAX_BLOCK_ROWS
        if left <= 0:
            return ""
        doc = self.docs[f.doc]
        first = doc.line_span(f.removals[MAX_BLOCK_ROWS].removed.para)[0]
        return (f'<p class="cap">... and {left:,} more removed paragraphs of this block '
                f'({span(first, doc.line_span(f.last)[1])}); report.json lists them.</p>')

    def removed_row(self, d: int, removal: Removal, in_block: bool = False) -> str:
        doc = self.docs[d]
        para = doc.paragraphs[removal.removed.para]
        kept_para = self.r.paragraph(removal.kept)
        text, clipped = _clip(para.text)
        twin = ""
        if removal.kind == BOILERPLATE:
            bp = self.boilerplate_of.get(removal.removed)
            # Short: in a big corpus most files carry one such row.
            label = (f'<a class="badge k-boilerplate" href="#bp{bp}">boilerplate</a>'
                     if bp is not None else '<span class="badge k-boilerplate">boilerplate</span>')
            reason = f'{label} {_e(removal.detail.removeprefix("boilerplate "))}'
            body = _e(text)
        else:
            label = removal.kind + (f", {removal.detail}" if removal.detail else "")
            reason = (f'<span class="badge k-{removal.kind}">{_e(label)}</span> '
                      f'<span class="score" title="similarity 0-100">score {_score(removal.score)}'
                      f'</span> repeats {self.link(removal.kept, d, short=in_block)}')
            if para.text == kept_para.text:
                body = _e(text)
            else:
                mine, theirs = changed_words(para.text, kept_para.text)
                kept_text, kept_clipped = _clip(kept_para.text)
                body = _marked(text, mine, "dw")
                if removal.kind == "exact":
                    twin = ('<div class="twin-note">same text once case, quotes, dashes and '
                            'spacing are normalised</div>')
                else:
                    twin = (f'<div class="twin"><div class="twin-label">kept twin, differing '
                            f'words marked</div>'
                            f'{_marked(kept_text, theirs, "iw")}'
                            f'{_more(kept_clipped, kept_para.text)}</div>')
            if removal.kind == NEAR:
                twin += (f'<code class="cmd" title="Run to see the full comparison">'
                         f'{_e(self.explain_cmd(removal))}</code>')
        return (f'<div class="row del" id="{_pid(removal.removed)}" data-kind="{removal.kind}">'
                f'<div class="ln">{_lines(para.first_line, para.last_line)}</div>'
                f'<div class="txt"><del>{body}</del>{_more(clipped, para.text)}</div>'
                f'<div class="why">{reason}{twin}</div></div>')


def _more(clipped: bool, full: str) -> str:
    return (f'<span class="clip">\u2026 {len(full) - MAX_TEXT:,} more characters not shown</span>'
            if clipped else "")


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n:,} B"
    if n < 1024 * 1024:
        return f"{n / 1024:,.1f} KB"
    return f"{n / 1024 / 1024:,.1f} MB"


def _setting(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


_CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#ffffff;--soft:#f6f8fa;
--del-bg:#ffebe9;--del-bd:#cf222e;--del-mark:#ffb8b0;--ins-bg:#dafbe1;--ins-bd:#1a7f37;--ins-mark:#8ce99a;
--near:#bc4c00;--near-bg:#fff1e5;--block:#8250df;--block-bg:#fbefff;--bp:#7d4e00;--bp-bg:#fff8c5;
--exact:#cf222e;--exact-bg:#ffebe9;--kept:#1a7f37;--kept-bg:#dafbe1;--link:#0969da;
--sans:-apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;
--serif:Georgia,"Times New Roman","Noto Serif",serif;
--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{scroll-padding-top:76px}
body{margin:0;font:15px/1.5 var(--sans);color:var(--fg);background:var(--soft)}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
a.badge:hover{text-decoration:none;filter:brightness(.95)}
code{font-family:var(--mono);font-size:.85em}
.bar{position:sticky;top:0;z-index:10;background:#0d1117;color:#e6edf3;box-shadow:0 1px 3px rgba(0,0,0,.25)}
.bar-in{max-width:1480px;margin:0 auto;padding:8px 20px;display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center}
.brand{color:#fff;font-weight:700;font-size:17px;letter-spacing:.2px}.brand span{font-weight:400;color:#9198a1}
.bar-stat{color:#c9d1d9;font-size:13.5px}.bar-stat b{color:#fff}
.chips{display:flex;gap:6px;flex-wrap:wrap}
.chip{font:600 12.5px var(--sans);border-radius:999px;padding:3px 11px;border:1px solid #3d444d;background:#21262d;color:#c9d1d9;cursor:pointer}
.chip b{font-weight:700;margin-left:2px}
.chip[aria-pressed=true].k-exact{background:var(--exact-bg);color:var(--exact);border-color:var(--exact)}
.chip[aria-pressed=true].k-near{background:var(--near-bg);color:var(--near);border-color:var(--near)}
.chip[aria-pressed=true].k-block{background:var(--block-bg);color:var(--block);border-color:var(--block)}
.chip[aria-pressed=true].k-boilerplate{background:var(--bp-bg);color:var(--bp);border-color:#d4a72c}
.chip[aria-pressed=false]{text-decoration:line-through;opacity:.75}
#q{flex:1 1 200px;max-width:340px;font:14px var(--sans);padding:5px 10px;border-radius:6px;border:1px solid #3d444d;background:#010409;color:#e6edf3}
.view{display:flex}.view button{font:600 12.5px var(--sans);padding:4px 10px;border:1px solid #3d444d;background:#21262d;color:#c9d1d9;cursor:pointer}
.view button:first-child{border-radius:6px 0 0 6px}.view button:last-child{border-radius:0 6px 6px 0;border-left:0}
.view button[aria-pressed=true]{background:#388bfd;border-color:#388bfd;color:#fff}
.bar nav{margin-left:auto;display:flex;gap:12px;font-size:13.5px}.bar nav a{color:#9ecbff}
main{max-width:1480px;margin:0 auto;padding:18px 20px 80px}
section{margin:0 0 26px}
h1{font-size:24px;margin:6px 0 6px;letter-spacing:-.2px}
h2{font-size:19px;margin:22px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h2 .count{font-size:13px;font-weight:400;color:var(--muted);margin-left:8px}
h3{font-size:14px;margin:14px 0 6px}
.lede{color:var(--muted);max-width:900px;margin:0 0 14px}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px}
.card{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .label{font-size:12px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted)}
.card .value{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.card .sub{font-size:12.5px;color:var(--muted)}
.dot.k-exact{color:var(--exact)}.dot.k-near{color:var(--near)}.dot.k-boilerplate{color:var(--bp)}
.kinds{font-size:13.5px;margin:12px 0 8px}
details.settings,details.skipped{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:6px 14px;margin:8px 0}
details.settings>summary,details.skipped>summary{cursor:pointer;font-weight:600;font-size:14px}
table.kv{border-collapse:collapse;font-size:13px;margin:6px 0}
table.kv th{text-align:left;font-weight:600;padding:2px 16px 2px 0;font-family:var(--mono);font-size:12.5px}
table.kv td{padding:2px 0;font-family:var(--mono);font-size:12.5px}
.badge{display:inline-block;font:700 11px/1.6 var(--sans);text-transform:uppercase;letter-spacing:.4px;padding:0 7px;border-radius:4px;border:1px solid;white-space:nowrap}
.badge.k-exact{color:var(--exact);background:var(--exact-bg)}
.badge.k-near{color:var(--near);background:var(--near-bg)}
.badge.k-block{color:var(--block);background:var(--block-bg)}
.badge.k-boilerplate{color:var(--bp);background:var(--bp-bg)}
.badge.kept{color:var(--kept);background:var(--kept-bg)}
.badge.rel-repeat{color:#0550ae;background:#ddf4ff}.badge.rel-update{color:#6639ba;background:#fbefff}
.banner{padding:6px 14px;font-size:13.5px;background:#ddf4ff;border-bottom:1px solid var(--line)}
.score{font-variant-numeric:tabular-nums;font-weight:600;font-size:13px}
.detail{font-size:13px;color:var(--muted)}
.cap{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 12px;font-size:13.5px}
.clusters{display:flex;flex-direction:column;gap:6px}
.scrollbox{max-height:min(460px,60vh);overflow:auto;border-radius:8px}
.clusters.scrollbox{padding-right:4px}
.scrollbox table.bp thead th{position:sticky;top:0;z-index:1}
details.cluster{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:6px 12px}
details.cluster>summary{cursor:pointer;font-size:14px}
details.cluster .n{display:inline-block;min-width:2.6em;font-weight:700;color:var(--block);font-variant-numeric:tabular-nums}
details.cluster .snip{font-family:var(--serif)}
details.cluster ul{list-style:none;margin:6px 0 2px;padding:0 0 0 2.6em;font-size:13.5px;columns:2 380px}
details.cluster li{padding:1px 0;break-inside:avoid}
table.bp{width:100%;border-collapse:collapse;background:var(--bg);border:1px solid var(--line);border-radius:8px;font-size:13.5px}
table.bp th{text-align:left;background:var(--soft);font-size:12px;text-transform:uppercase;letter-spacing:.5px;color:var(--muted);padding:6px 10px;border-bottom:1px solid var(--line)}
table.bp td{padding:5px 10px;border-bottom:1px solid #eaeef2;vertical-align:top}
table.bp td.num{text-align:right;font-variant-numeric:tabular-nums}
table.bp td.bp-text{font-family:var(--serif);max-width:420px}
table.bp td.where{font-size:12.5px}
.pager{display:flex;gap:8px;align-items:center;margin:4px 0 10px;font-size:13.5px}
.pager button{font:600 12.5px var(--sans);padding:4px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);cursor:pointer}
.pager button:disabled{opacity:.45;cursor:default}
#pageinfo{min-width:260px;color:var(--muted)}
details.file{background:var(--bg);border:1px solid var(--line);border-radius:8px;margin:0 0 10px;overflow:hidden}
details.file>summary{cursor:pointer;display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;padding:8px 14px;background:var(--soft);border-bottom:1px solid transparent}
details.file[open]>summary{border-bottom-color:var(--line)}
details.file .path{font-family:var(--mono);font-size:13.5px;font-weight:600}
details.file .meta{color:var(--muted);font-size:13px}
details.file .badges{display:flex;gap:5px;margin-left:auto}
.diff{font-size:15px}
.row{display:grid;grid-template-columns:4.2em minmax(0,1fr) minmax(0,1fr);border-top:1px solid #eaeef2}
.row:first-child{border-top:0}
.row .ln{font-family:var(--mono);font-size:12px;color:var(--muted);text-align:right;padding:7px 10px 0 0;user-select:none;border-right:1px solid #eaeef2}
.row .txt{padding:6px 14px;font-family:var(--serif);line-height:1.55;overflow-wrap:anywhere}
.row.same .txt,.row.gap .txt,.row.fhead .txt{grid-column:2 / 4}
.row.head{background:var(--soft);font-size:11.5px;text-transform:uppercase;letter-spacing:.5px;color:var(--muted)}
.row.head .txt,.row.head .why{font-family:var(--sans);padding:3px 14px;white-space:normal}
.row.head .ln{padding-top:3px}
.row.gap{background:repeating-linear-gradient(135deg,#f6f8fa,#f6f8fa 6px,#eef1f4 6px,#eef1f4 12px)}
.row.gap .txt{font-family:var(--sans);font-size:12.5px;color:var(--muted);padding:3px 14px}
.row.gap .ln{padding-top:2px}
details.rest>summary{cursor:pointer;list-style:none;background:var(--del-bg)}
details.rest>summary::-webkit-details-marker{display:none}
.row.more .txt{grid-column:2 / 4;font:600 12.5px var(--sans);color:var(--del-bd);padding:5px 14px}
details.rest[open]>summary .txt{color:var(--muted)}
body.view-clean details.rest{display:none}
.h-clean{display:none}body.view-clean .h-clean{display:inline}body.view-clean .h-diff{display:none}
.row.del{background:var(--del-bg)}
.row.del .ln{color:var(--del-bd);border-right:3px solid var(--del-bd)}
.row.del del{text-decoration:line-through;text-decoration-color:rgba(207,34,46,.45);text-decoration-thickness:1px;color:#4b1113}
.row.del[data-kind=boilerplate]{background:var(--bp-bg)}
.row.del[data-kind=boilerplate] .ln{color:var(--bp);border-right-color:#d4a72c}
.row.del[data-kind=boilerplate] del{color:#5c3b00;text-decoration-color:rgba(125,78,0,.45)}
.row.kept{background:#f0fff4}
.row.kept .ln{color:var(--kept);border-right:3px solid var(--kept)}
.row .why{padding:6px 14px;font-size:13.5px;border-left:1px solid rgba(0,0,0,.06);background:rgba(255,255,255,.55);overflow-wrap:anywhere}
.row.fhead{background:var(--block-bg);font-size:13.5px}
.row .why.cont{color:var(--muted);font-size:12.5px;padding-top:4px}
.row.fhead .txt{font-family:var(--sans);padding:5px 14px}
.finding.k-block{border-left:4px solid var(--block)}
mark.dw{background:var(--del-mark);color:inherit;border-radius:2px;padding:0 1px}
mark.iw{background:var(--ins-mark);color:inherit;border-radius:2px;padding:0 1px}
.twin{margin-top:6px;padding:6px 10px;background:var(--ins-bg);border-left:3px solid var(--ins-bd);border-radius:0 4px 4px 0;font-family:var(--serif);font-size:14.5px}
.twin-label{font:600 11px var(--sans);text-transform:uppercase;letter-spacing:.5px;color:var(--kept);margin-bottom:2px;white-space:normal}
.twin-note{margin-top:4px;font-size:12.5px;color:var(--muted)}
.cmd{display:block;margin-top:6px;font-size:11.5px;color:var(--muted);background:rgba(0,0,0,.04);padding:2px 6px;border-radius:4px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;user-select:all}
.clip{display:block;font:italic 12.5px var(--sans);color:var(--muted)}
.flash{animation:flash 2.2s ease-out}
@keyframes flash{0%,40%{box-shadow:inset 0 0 0 3px #f2cc60;background-color:#fff8c5}100%{box-shadow:inset 0 0 0 3px transparent}}
body.hide-exact .k-row[data-kind=exact],body.hide-near .k-row[data-kind=near],
body.hide-block .k-row[data-kind=block],body.hide-boilerplate .k-row[data-kind=boilerplate]{display:none}
body.view-clean .row.del,body.view-clean .row.fhead,body.view-clean .row.head .why{display:none}
body.view-clean .row.kept .why{display:none}
body.view-clean .row .txt{grid-column:2 / 4}
.toast{position:fixed;bottom:18px;left:50%;transform:translateX(-50%);background:#0d1117;color:#fff;padding:8px 16px;border-radius:8px;font-size:13.5px;z-index:20}
@media (max-width:900px){.row{grid-template-columns:3.4em minmax(0,1fr)}.row .why{grid-column:2;border-left:0;border-top:1px dashed rgba(0,0,0,.1)}
.row.same .txt,.row.gap .txt,.row.fhead .txt{grid-column:2}.bar nav{display:none}}
@media print{.bar{position:static}details.file{break-inside:avoid}}
"""

_JS = """
(function(){
"use strict";
var body=document.body,pageSize=+body.dataset.pageSize||50;
var files=Array.prototype.slice.call(document.querySelectorAll("details.file"));
var clusters=Array.prototype.slice.call(document.querySelectorAll("details.cluster"));
var paths=files.map(function(f){return f.firstElementChild.firstElementChild.textContent.toLowerCase();});
var kinds=["exact","near","block","boilerplate"],on={},q="",page=0,visible=files;
kinds.forEach(function(k){on[k]=true;});
var $=function(id){return document.getElementById(id);};
var pager=$("pager"),info=$("pageinfo"),prev=$("prev"),next=$("next"),nomatch=$("nomatch"),qi=$("q");
function allOn(){return kinds.every(function(k){return on[k];});}
function shows(el){
  var ks=(el.getAttribute("data-kinds")||"").split(" ");
  if(ks[0]==="kept"||ks[0]==="")return allOn();
  return ks.some(function(k){return on[k];});
}
function apply(keepPage){
  kinds.forEach(function(k){body.classList.toggle("hide-"+k,!on[k]);});
  visible=files.filter(function(f,i){return (!q||paths[i].indexOf(q)>=0)&&shows(f);});
  var pages=Math.max(1,Math.ceil(visible.length/pageSize));
  if(!keepPage)page=0;
  page=Math.min(page,pages-1);
  var lo=page*pageSize,hi=lo+pageSize,inPage=new Set(visible.slice(lo,hi));
  for(var i=0;i<files.length;i++){var h=!inPage.has(files[i]);if(files[i].hidden!==h)files[i].hidden=h;}
  clusters.forEach(function(c){c.hidden=!shows(c);});
  pager.hidden=false;
  info.textContent=visible.length?("Files "+(lo+1).toLocaleString()+"\\u2013"+Math.min(hi,visible.length).toLocaleString()+" of "+visible.length.toLocaleString()+(visible.length!==files.length?" matching":"")+" \\u00b7 page "+(page+1)+" of "+pages):"";
  prev.disabled=page===0;next.disabled=page>=pages-1;
  nomatch.hidden=visible.length>0;
}
Array.prototype.forEach.call(document.querySelectorAll(".chip[data-filter]"),function(b){
  b.addEventListener("click",function(){var k=b.dataset.filter;on[k]=!on[k];b.setAttribute("aria-pressed",String(on[k]));apply(false);});
});
var timer=0;
qi.addEventListener("input",function(){clearTimeout(timer);timer=setTimeout(function(){q=qi.value.trim().toLowerCase();apply(false);},120);});
prev.addEventListener("click",function(){page--;apply(true);$("files").scrollIntoView();});
next.addEventListener("click",function(){page++;apply(true);$("files").scrollIntoView();});
function setOpen(v){files.forEach(function(f){if(!f.hidden)f.open=v;});}
$("expand").addEventListener("click",function(){setOpen(true);});
$("collapse").addEventListener("click",function(){setOpen(false);});
function view(clean){body.classList.toggle("view-clean",clean);$("view-clean").setAttribute("aria-pressed",String(clean));$("view-diff").setAttribute("aria-pressed",String(!clean));}
$("view-diff").addEventListener("click",function(){view(false);});
$("view-clean").addEventListener("click",function(){view(true);});
function toast(msg){var t=document.createElement("div");t.className="toast";t.textContent=msg;body.appendChild(t);setTimeout(function(){t.remove();},2600);}
function fromHash(h){try{return decodeURIComponent(h.replace(/^#/,""));}catch(e){return "";}}
function reveal(id){
  var el=id&&document.getElementById(id);if(!el)return false;
  var file=el.closest("details.file");
  var row=el.closest(".k-row");
  var kindHidden=row&&!on[row.dataset.kind];
  if(file&&(visible.indexOf(file)<0||kindHidden)){
    kinds.forEach(function(k){on[k]=true;});
    Array.prototype.forEach.call(document.querySelectorAll(".chip[data-filter]"),function(b){b.setAttribute("aria-pressed","true");});
    q="";qi.value="";apply(false);toast("Filters cleared to show the linked paragraph");
  }else if(kindHidden){on[row.dataset.kind]=true;document.querySelector('.chip[data-filter="'+row.dataset.kind+'"]').setAttribute("aria-pressed","true");apply(true);}
  if(file){var at=visible.indexOf(file);if(at>=0&&Math.floor(at/pageSize)!==page){page=Math.floor(at/pageSize);apply(true);}}
  if(el.classList.contains("row")&&body.classList.contains("view-clean")&&el.classList.contains("del"))view(false);
  for(var d=el.closest("details");d;d=d.parentElement&&d.parentElement.closest("details"))d.open=true;
  if(el.tagName==="DETAILS")el.open=true;
  el.scrollIntoView({block:"start"});
  el.classList.remove("flash");void el.offsetWidth;el.classList.add("flash");
  return true;
}
document.addEventListener("click",function(ev){
  var a=ev.target.closest&&ev.target.closest('a[href^="#"]');if(!a)return;
  var id=fromHash(a.getAttribute("href"));
  if(!document.getElementById(id))return;
  ev.preventDefault();
  if(location.hash!=="#"+id)history.pushState(null,"","#"+id);
  reveal(id);
});
window.addEventListener("hashchange",function(){reveal(fromHash(location.hash));});
window.addEventListener("popstate",function(){reveal(fromHash(location.hash));});
var bar=document.querySelector(".bar");
function pad(){document.documentElement.style.scrollPaddingTop=(bar.offsetHeight+8)+"px";}
window.addEventListener("resize",pad);pad();
document.addEventListener("keydown",function(ev){
  if(ev.key==="/"&&!/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)){ev.preventDefault();qi.focus();}
});
apply(false);
if(location.hash)reveal(fromHash(location.hash));
})();
"""
