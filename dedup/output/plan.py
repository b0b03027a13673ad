"""The guarantee every writer checks before it writes: nothing is lost.

Every removed paragraph names a kept twin (one paragraph, or a run of them
for a re-flowed copy), and that twin must be in what the run writes,
verbatim: kept (not removed itself) and in a document that is written. An
article left out whole may hold nothing but its headline, boilerplate and
paragraphs that go as repeats of such twins. Boilerplate removed everywhere
is the one exception: page furniture has no twin to keep.

The decisions are made to hold this; the check is there so that no later
change, option combination or engine can break it silently. A writer that
finds the plan breaks it refuses to write anything (:class:`PlanError`,
naming the first paragraph that would be lost).
"""

from __future__ import annotations

from ..model import BOILERPLATE, Ref, ScanResult
from ..text.normalize import normalize, word_count

#: A first paragraph of at most this many words is a headline (the same
#: bound the decisions use: dedup.decisions.detect.HEADLINE_WORDS).
HEADLINE_WORDS = 25


class PlanError(ValueError):
    """Writing as planned would lose a paragraph; nothing was written."""


def violations(result: ScanResult, *, drops: bool = True, limit: int = 1) -> list[str]:
    """Up to ``limit`` one-line descriptions of paragraphs the plan would lose.

    ``drops``: whether the writer leaves out the articles the result drops
    (copies and JSON Lines do; ``--in-place`` never deletes a file).
    """
    docs = result.documents
    dropped = set(result.dropped_articles()) if drops else set()
    boilerplate_everywhere = result.settings.get("boilerplate") == "remove"
    out: list[str] = []
    removed = result.removals
    for ref, removal in removed.items():
        if removal.kind == BOILERPLATE and boilerplate_everywhere:
            continue
        twin_doc = removal.kept.doc
        if ref.doc in dropped and twin_doc == ref.doc and removal.kept == Ref(ref.doc, 0):
            continue        # its article's headline, left out with it
        for para in range(removal.kept.para, removal.kept_end + 1):
            twin = Ref(twin_doc, para)
            if twin_doc in dropped:
                why = f"{docs[twin_doc].path} is left out"
            elif twin in removed:
                why = "that paragraph is removed too"
            elif para >= docs[twin_doc].count:
                why = "that paragraph does not exist"
            else:
                continue
            out.append(f"{_place(docs[ref.doc], ref.para)} is removed as a repeat of "
                       f"{_place(docs[twin_doc], para)}, but {why}")
            break
        if len(out) >= limit:
            return out
    boiler = {r for b in result.boilerplate for r in b.occurrences}
    for d in sorted(dropped):
        doc = docs[d]
        for para in range(doc.count):
            ref = Ref(d, para)
            if ref in removed or ref in boiler:
                continue
            # Read only here: a document's text is read again from its file.
            if para == 0 and word_count(normalize(doc.paragraphs[0].text)) <= HEADLINE_WORDS:
                continue
            out.append(f"{_place(doc, para)} would be lost: {doc.path} is left out as a "
                       "repeated article but this paragraph repeats nothing kept")
            if len(out) >= limit:
                return out
            break
    return out


def check(result: ScanResult, *, drops: bool = True) -> None:
    """Raise :class:`PlanError` naming the first paragraph the plan would lose."""
    found = violations(result, drops=drops)
    if found:
        raise PlanError(f"refusing to write, a paragraph would be lost: {found[0]}; "
                        "nothing written")


def _place(doc, para: int) -> str:
    try:
        first, last = doc.paragraphs[para].lines
    except (IndexError, LookupError):
        return f"{doc.path} paragraph {para + 1}"
    return f"{doc.path}:{first}" if first == last else f"{doc.path}:{first}-{last}"
