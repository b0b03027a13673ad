"""Settings of a run: every threshold in one validated, documented place.

Settings come from, in increasing precedence: the defaults below, a
``[tool.dedup]`` table in ``pyproject.toml`` or a top-level table in
``dedup.toml`` (the nearest one found from the working folder upwards), and
options given on the command line or to :class:`Config` directly.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

KEEP_POLICIES = ("first", "longest")
BOILERPLATE_POLICIES = ("remove", "keep-first", "keep")


class ConfigError(ValueError):
    """A setting is out of range or a configuration file cannot be used."""


@dataclass(frozen=True)
class Config:
    """All settings that influence which paragraphs are repeats.

    >>> Config(near_threshold=92).near_threshold
    92.0
    """

    #: rapidfuzz ``fuzz.ratio`` (0-100) on normalised text at or above which a
    #: candidate pair is a near repeat. 90 lets through typos, OCR noise, a few
    #: inserted words and number formatting, and rejects paraphrases.
    near_threshold: float = 90.0
    #: A shorter paragraph that equals the start of a longer one (scored with the
    #: same threshold on that prefix) is a truncated copy when it holds at least
    #: this share of the longer one's characters.
    truncated_min_share: float = 0.5
    #: Estimated Jaccard similarity of character shingles at which LSH proposes
    #: a pair as a candidate (it only proposes; rapidfuzz decides).
    lsh_threshold: float = 0.5
    #: Characters per shingle for MinHash.
    shingle_size: int = 5
    #: MinHash permutations per paragraph.
    num_perm: int = 64
    #: Seed of the MinHash permutations; results do not depend on it beyond
    #: LSH's own randomness, and the same seed always gives the same result.
    seed: int = 1
    #: Paragraphs shorter than this (normalised characters) only repeat exactly.
    near_min_chars: int = 30
    #: Paragraphs with fewer words than this are "short": they count as a repeat
    #: only next to their twin (a doubled title) or inside a run of repeats, so
    #: a common line such as "He said." is never removed on its own.
    short_words: int = 10
    #: A paragraph with fewer words than this that repeats a paragraph of
    #: another story goes only in context (a run of repeats, or the same
    #: story): such a sentence takes its subject from its story ("The selling
    #: concession is 1-1/4 pct", "Proceeds will be used for general corporate
    #: purposes."). See dedup.decisions.context.
    context_words: int = 20
    #: A near repeat (not word for word) of a paragraph of another document
    #: goes only in context too: the same story, or a run of repeats. Read
    #: on BBC and Reuters, most near copies in another story were that
    #: story's own sentence edited for it ("the spokesman" for "a Bonn
    #: finance ministry spokesman"). False removes them like exact copies.
    near_context: bool = True
    #: A paragraph of another document that leans on its story (an opening
    #: pronoun, link word or "The" and a common noun, a lead-in, a list) goes
    #: only in context, whatever its length. ``dedup check`` turns this off:
    #: it removes nothing, and a long paragraph of the archive reused word
    #: for word in a new story is what the gate is there to report.
    lean_context: bool = True
    #: A short paragraph found in at least this many files is boilerplate.
    boilerplate_min_files: int = 5
    #: Paragraphs with more words than this are never boilerplate (a long
    #: paragraph in many files is a copied paragraph, kept once). At most 25:
    #: the readers look for furniture words in lines that short only.
    boilerplate_max_words: int = 15
    #: Boilerplate sits at the edges of articles: at least half of a line's
    #: occurrences must be within this many paragraphs of a file's start or
    #: end (0: anywhere, for mid-article furniture such as "Advertisement").
    boilerplate_edge: int = 2
    #: "remove" every occurrence, keep the first ("keep-first"), or only report
    #: ("keep").
    boilerplate: str = "remove"
    #: Which member of a group of repeats is kept: "first" (sorted path order,
    #: then position) or "longest" (most characters, ties by path/position).
    keep: str = "first"
    #: Ordered folder or path prefixes; files under an earlier entry are kept in
    #: preference to later ones (e.g. the wire before its syndicators).
    keep_priority: tuple[str, ...] = ()
    #: Share of an article's text (normalised characters) that must repeat one
    #: other article for the article to count as a repeat of it.
    article_threshold: float = 0.8
    #: ``clean`` leaves out whole articles that repeat a kept article (of which
    #: nothing but the headline remains once their repeats are removed); off,
    #: it writes what remains of them (``--keep-repeated-articles``).
    drop_repeated_articles: bool = True
    #: Glob of files to read inside directories.
    glob: str = "*.txt"
    #: Worker processes; 0 means all cores.
    jobs: int = 0
    #: Paths to scan when none are given.
    paths: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        def check(cond: bool, message: str) -> None:
            if not cond:
                raise ConfigError(message)

        for name in ("near_threshold",):
            object.__setattr__(self, name, float(getattr(self, name)))
        check(0 < self.near_threshold <= 100, "near_threshold must be in (0, 100]")
        check(0 < self.truncated_min_share <= 1, "truncated_min_share must be in (0, 1]")
        check(0 < self.lsh_threshold < 1, "lsh_threshold must be in (0, 1)")
        check(1 <= self.shingle_size <= 8, "shingle_size must be between 1 and 8")
        check(8 <= self.num_perm <= 512, "num_perm must be between 8 and 512")
        check(self.near_min_chars >= 1, "near_min_chars must be at least 1")
        check(self.short_words >= 0, "short_words must be 0 or more")
        check(self.context_words >= 0, "context_words must be 0 or more")
        check(self.boilerplate_min_files >= 2, "boilerplate_min_files must be at least 2")
        check(self.boilerplate_edge >= 0, "boilerplate_edge must be 0 or more")
        check(1 <= self.boilerplate_max_words <= 25,
              "boilerplate_max_words must be between 1 and 25")
        check(self.boilerplate in BOILERPLATE_POLICIES,
              f"boilerplate must be one of {', '.join(BOILERPLATE_POLICIES)}")
        check(self.keep in KEEP_POLICIES, f"keep must be one of {', '.join(KEEP_POLICIES)}")
        check(0 < self.article_threshold <= 1, "article_threshold must be in (0, 1]")
        check(self.jobs >= 0, "jobs must be 0 (all cores) or more")
        object.__setattr__(self, "keep_priority", tuple(self.keep_priority))
        object.__setattr__(self, "paths", tuple(self.paths))

    @property
    def workers(self) -> int:
        return self.jobs or (os.cpu_count() or 1)

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)

    def settings(self) -> dict:
        """The settings that shape decisions, for reports (paths and jobs excluded)."""
        out = dataclasses.asdict(self)
        for name in ("paths", "jobs"):
            out.pop(name)
        out["keep_priority"] = list(self.keep_priority)
        return out


FIELD_NAMES = {f.name for f in dataclasses.fields(Config)}


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest ``dedup.toml``, or ``pyproject.toml`` with ``[tool.dedup]``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "dedup.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "dedup" in _read_toml(candidate).get("tool", {}):
            return candidate
    return None


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc


def load_file_settings(path: Path) -> dict:
    """Settings from one configuration file, keys spelled with - or _."""
    data = _read_toml(path)
    table = data.get("tool", {}).get("dedup", {}) if path.name == "pyproject.toml" else data
    out = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in FIELD_NAMES:
            raise ConfigError(f"{path}: unknown setting '{key}'")
        if name in ("paths", "keep_priority"):
            if isinstance(value, str):
                value = [value]
            # Paths in a configuration file are relative to that file.
            if name == "paths":
                value = [str((path.parent / v)) if not Path(v).is_absolute() else v for v in value]
            value = tuple(value)
        out[name] = value
    return out


def load_config(config_file: Path | None = None, search_from: Path | None = None,
                **overrides) -> Config:
    """Defaults, then the configuration file, then ``overrides`` (None = unset)."""
    settings: dict = {}
    path = config_file or find_config_file(search_from)
    if path is not None:
        settings.update(load_file_settings(path))
    settings.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Config(**settings)
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc
