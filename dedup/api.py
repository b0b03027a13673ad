"""The library: what the command line calls, usable on its own from Python.

>>> from dedup import scan_texts
>>> result = scan_texts({"a.txt": "Title here now\\n\\nTitle here now\\n\\nBody text."})
>>> [(f.kind, f.first, f.kept_first) for f in result.findings]
[('exact', 1, 0)]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .clean import atomic_write, cleaned_text, unified_diff
from .config import Config
from .corpus import corpus_from_texts, read_corpus
from .detect import decide
from .documents import discover
from .model import ScanResult


def scan(paths: list[str | Path], config: Config | None = None, *,
         exclude: list[Path] = (), encoding: str | None = None,
         progress: Callable[[int, int], None] | None = None) -> ScanResult:
    """Find repeated paragraphs in files and folders (folders recursively).

    ``progress(done, total)`` is called as files are read.
    """
    cfg = config or Config()
    files, warnings = discover([Path(p) for p in paths], cfg.glob, list(exclude))
    counter = None
    if progress is not None:
        seen = [0]

        def counter(n: int) -> None:
            seen[0] += n
            progress(seen[0], len(files))
    result = decide(read_corpus(files, cfg, encoding, counter), cfg)
    result.skipped[:0] = warnings
    return result


def scan_texts(texts: dict[str, str], config: Config | None = None) -> ScanResult:
    """Find repeated paragraphs in texts held in memory (``name -> text``)."""
    cfg = config or Config()
    return decide(corpus_from_texts(texts, cfg), cfg)


def cleaned(result: ScanResult) -> dict[str, str]:
    """Cleaned text of every document, by path."""
    return {doc.path: cleaned_text(doc, result.removed_in(i))
            for i, doc in enumerate(result.documents)}


def diff(result: ScanResult) -> str:
    """Unified diff of every changed document."""
    return "".join(unified_diff(doc, result.removed_in(i))
                   for i, doc in enumerate(result.documents) if result.removed_in(i))


@dataclass
class WriteSummary:
    out: Path
    written: list[Path] = field(default_factory=list)
    changed: int = 0


def output_base(paths: list[str | Path]) -> Path:
    """Folder the inputs' relative paths are taken from (their common folder)."""
    bases = []
    for p in paths:
        path = Path(p).absolute()
        bases.append(path if path.is_dir() else path.parent)
    return Path(os.path.commonpath([str(b) for b in bases])) if bases else Path.cwd()


def default_out(paths: list[str | Path]) -> Path:
    """``cleaned/`` beside the input folder (inside it when the input is the working folder)."""
    base = output_base(paths)
    if base == Path.cwd().absolute() or base.parent == base:
        return base / "cleaned"
    return base.parent / "cleaned"


def write_cleaned(result: ScanResult, paths: list[str | Path], out: Path) -> WriteSummary:
    """Write every document, cleaned, under ``out`` at its path relative to the inputs.

    Unchanged documents are written too, so ``out`` is a complete corpus.
    Originals are never written: a target that resolves to an input file is
    refused.
    """
    base = output_base(paths)
    out = out.absolute()
    summary = WriteSummary(out)
    for i, doc in enumerate(result.documents):
        source = Path(doc.path).absolute()
        try:
            rel = source.relative_to(base)
        except ValueError:
            rel = Path(source.name)
        target = (out / rel).resolve()
        if out.resolve() not in target.parents:
            raise ValueError(f"{doc.path}: output path {target} escapes {out}")
        if target == source.resolve():
            raise ValueError(f"{doc.path}: refusing to write over the original")
        removed = result.removed_in(i)
        atomic_write(target, doc.encode(cleaned_text(doc, removed)))
        summary.written.append(target)
        summary.changed += bool(removed)
    return summary
