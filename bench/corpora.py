"""Real articles for benchmarks and large tests, read in place from ../shared/corpora.

The BBC and Reuters corpora are licensed for research use only: they are read
from where they lie and never copied into the repository. Every loader returns
``None`` when its folder is absent, so callers can skip cleanly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(os.environ.get("DEDUP_CORPORA",
                           Path(__file__).resolve().parents[1].parent / "shared" / "corpora"))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def bbc(limit: int | None = None) -> list[tuple[str, str]] | None:
    """``(name, text)`` of BBC News articles, e.g. ``("bbc/business/001.txt", ...)``."""
    folder = ROOT / "bbc"
    if not folder.is_dir():
        return None
    files = sorted(folder.glob("*/*.txt"))[:limit]
    return [(f"bbc/{f.parent.name}/{f.name}", _decode(f.read_bytes())) for f in files]


def reuters(limit: int | None = None, skip_empty: bool = True) -> list[tuple[str, str]] | None:
    """``(name, text)`` of Reuters-21578 stories as title, blank line, body."""
    path = ROOT / "reuters21578" / "reuters21578.jsonl"
    if not path.is_file():
        return None
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            story = json.loads(line)
            text = story["text"]
            if skip_empty and (not text.strip() or text.strip() == "Blah blah blah."):
                continue
            body = f"{story['title']}\n\n{text}" if story["title"] else text
            out.append((f"reuters/{int(story['id']):05d}.txt", body + "\n"))
            if limit and len(out) >= limit:
                break
    return out


def spamassassin(limit: int | None = None) -> list[tuple[str, str]] | None:
    folder = ROOT / "spamassassin"
    if not folder.is_dir():
        return None
    files = sorted(folder.glob("*/*.txt"))[:limit]
    return [(f"spam/{f.parent.name}/{f.name}", _decode(f.read_bytes())) for f in files]


def materialise(articles: list[tuple[str, str]], folder: Path) -> Path:
    """Write articles as files under ``folder`` (outside the repository)."""
    for name, text in articles:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder
