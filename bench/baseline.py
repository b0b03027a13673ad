"""The plain way to drop repeated paragraphs, as a yardstick for dedup's speed.

This is what one would write in an afternoon with the usual libraries, with no
tuning at all:

- read every ``*.txt`` file below the given paths, in sorted path order;
- cut each file at blank lines into paragraphs;
- normalise a paragraph by lowercasing it and collapsing runs of whitespace;
- give every paragraph its own ``datasketch.MinHash(num_perm=128)``, fed with
  ``update_batch`` over the set of its 5-byte character shingles (UTF-8);
- walk the paragraphs in order ("keep first"): query a
  ``MinHashLSH(threshold=0.5, num_perm=128)`` holding the paragraphs kept so
  far, compare each candidate with rapidfuzz ``fuzz.ratio`` and drop the
  paragraph at the first candidate scoring 90 or more; a paragraph that
  matches nothing is kept and inserted into the index.

Only kept paragraphs go into the index. Inserting every paragraph would make
each of the ~20,000 "Reuter" sign-offs a candidate of every later one, and the
run would never end; inserting only what is kept is also how the plain
approach is normally written.

It has none of dedup's rules (facts that must agree, short lines that need
context, boilerplate, truncated copies), so its count of removals is only
roughly comparable: the point is the amount of work per paragraph.

Run it alone with ``python -m bench.baseline FOLDER...``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

NUM_PERM = 128
LSH_THRESHOLD = 0.5
RATIO_THRESHOLD = 90.0
SHINGLE_BYTES = 5

# A blank line is a line holding nothing but whitespace; \s* also swallows any
# further blank lines, so a run of them is one separator.
_BLANK_LINES = re.compile(r"\n\s*\n")


def text_files(paths: list[str | Path]) -> list[Path]:
    """``*.txt`` files below folders (recursively) and files given by name, sorted."""
    found: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found.update(f for f in p.rglob("*.txt") if f.is_file())
        elif p.is_file():
            found.add(p)
    return sorted(found)


def split_paragraphs(text: str) -> list[str]:
    """Non-empty blocks of text between blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [block for block in (b.strip() for b in _BLANK_LINES.split(text)) if block]


def normalise(paragraph: str) -> str:
    return " ".join(paragraph.lower().split())


def shingles(norm: str, k: int = SHINGLE_BYTES) -> set[bytes]:
    """Distinct k-byte windows of the UTF-8 text (the whole text when shorter)."""
    data = norm.encode("utf-8")
    if len(data) <= k:
        return {data}
    return {data[i:i + k] for i in range(len(data) - k + 1)}


def run(paths: list[str | Path], out: Path | None = None) -> dict:
    """Scan ``paths`` and return counts: files, bytes, paragraphs, candidates, removed, kept.

    With ``out``, each file's kept paragraphs are written there (joined by
    blank lines, at the file's path below its input folder), as a cleaning
    script would.
    """
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    kept: dict[int, str] = {}          # key in the index -> normalised text
    files = text_files(paths)
    counts = {"files": len(files), "bytes": 0, "paragraphs": 0, "candidates": 0, "removed": 0}
    key = 0
    bases = [Path(p) for p in paths]
    for path in files:
        data = path.read_bytes()
        counts["bytes"] += len(data)
        cleaned = []
        for paragraph in split_paragraphs(data.decode("utf-8", errors="replace")):
            key += 1
            norm = normalise(paragraph)
            minhash = MinHash(num_perm=NUM_PERM)
            minhash.update_batch(shingles(norm))
            repeat = False
            for other in lsh.query(minhash):
                counts["candidates"] += 1
                if fuzz.ratio(norm, kept[other]) >= RATIO_THRESHOLD:
                    repeat = True
                    break
            if repeat:
                counts["removed"] += 1
            else:
                lsh.insert(key, minhash)
                kept[key] = norm
                cleaned.append(paragraph)
        if out is not None:
            base = next((b for b in bases if b == path or b in path.parents), path.parent)
            target = out / (path.relative_to(base) if base != path else path.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n\n".join(cleaned) + "\n", encoding="utf-8")
    counts["paragraphs"] = key
    counts["kept"] = len(kept)
    return counts


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m bench.baseline FOLDER_OR_FILE...", file=sys.stderr)
        return 2
    counts = run(paths)
    print(", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
