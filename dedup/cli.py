"""The ``dedup`` command: parses options and calls the library, nothing more.

Exit codes: 0 the run finished (repeats found or not); 2 usage or settings
errors, or ``--strict`` with skipped files.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import api
from .config import ConfigError, load_config
from .report import render, write_reports

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Find and remove repeated paragraphs inside and across articles.")


class Keep(str, Enum):
    first = "first"
    longest = "longest"


class BoilerplatePolicy(str, Enum):
    remove = "remove"
    keep_first = "keep-first"
    keep = "keep"


class ScanFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


Paths = Annotated[Optional[list[Path]], typer.Argument(
    help="Files or folders (folders are read recursively). "
         "Default: 'paths' from the configuration, else the working folder.")]
Glob = Annotated[Optional[str], typer.Option(help="Files to read inside folders [default: *.txt].")]
KeepOpt = Annotated[Optional[Keep], typer.Option(
    "--keep", help="Which copy of a repeat is kept [default: first].")]
KeepPriority = Annotated[Optional[Path], typer.Option(
    "--keep-priority", help="File listing folders or sources, one a line, "
                            "most trusted first; their copies are kept first.",
    exists=True, dir_okay=False)]
Boiler = Annotated[Optional[BoilerplatePolicy], typer.Option(
    "--boilerplate", help="Boilerplate: remove everywhere, keep its first "
                          "occurrence, or only report it [default: remove].")]
Threshold = Annotated[Optional[float], typer.Option(
    "--threshold", help="Fuzzy similarity (0-100) for a near repeat [default: 90].")]
LshThreshold = Annotated[Optional[float], typer.Option(
    "--lsh-threshold", help="Estimated Jaccard at which LSH proposes a pair [default: 0.5].")]
Shingle = Annotated[Optional[int], typer.Option(
    "--shingle-size", help="Characters per MinHash shingle [default: 5].")]
NumPerm = Annotated[Optional[int], typer.Option(
    "--num-perm", help="MinHash permutations [default: 64].")]
ShortWords = Annotated[Optional[int], typer.Option(
    "--short-words", help="Paragraphs with fewer words repeat only beside their "
                          "twin or in a run [default: 10].")]
BoilerFiles = Annotated[Optional[int], typer.Option(
    "--boilerplate-min-files", help="Files a short line must be in to be boilerplate [default: 5].")]
Jobs = Annotated[Optional[int], typer.Option(
    "--jobs", "-j", help="Worker processes; 0 = all cores [default: 0].")]
ConfigFile = Annotated[Optional[Path], typer.Option(
    "--config", help="A dedup.toml or pyproject.toml to read settings from "
                     "[default: the nearest one].", exists=True, dir_okay=False)]
Encoding = Annotated[Optional[str], typer.Option(
    "--encoding", help="Decode every file with this encoding instead of detecting it.")]


def _settings(paths, glob, keep, keep_priority, boilerplate, threshold, lsh_threshold,
              shingle_size, num_perm, short_words, boilerplate_min_files, jobs, config):
    priority = None
    if keep_priority is not None:
        priority = tuple(line.strip() for line in keep_priority.read_text("utf-8").splitlines()
                         if line.strip() and not line.lstrip().startswith("#"))
    try:
        cfg = load_config(config, glob=glob, keep=keep.value if keep else None,
                          keep_priority=priority,
                          boilerplate=boilerplate.value if boilerplate else None,
                          near_threshold=threshold, lsh_threshold=lsh_threshold,
                          shingle_size=shingle_size, num_perm=num_perm, short_words=short_words,
                          boilerplate_min_files=boilerplate_min_files, jobs=jobs)
    except ConfigError as exc:
        _fail(str(exc))
    chosen = list(paths) if paths else [Path(p) for p in cfg.paths] or [Path(".")]
    missing = [str(p) for p in chosen if not p.exists()]
    if missing:
        _fail(f"no such file or directory: {', '.join(missing)}")
    return cfg, chosen


def _fail(message: str) -> None:
    typer.echo(f"dedup: error: {message}", err=True)
    raise typer.Exit(2)


def _warn_skipped(result) -> None:
    for line in result.skipped:
        typer.echo(f"dedup: warning: {line}", err=True)


@app.command()
def scan(
    paths: Paths = None,
    format: Annotated[ScanFormat, typer.Option("--format", "-f", help="Output format.")] = ScanFormat.text,
    glob: Glob = None, keep: KeepOpt = None, keep_priority: KeepPriority = None,
    boilerplate: Boiler = None, threshold: Threshold = None, lsh_threshold: LshThreshold = None,
    shingle_size: Shingle = None, num_perm: NumPerm = None, short_words: ShortWords = None,
    boilerplate_min_files: BoilerFiles = None, jobs: Jobs = None, config: ConfigFile = None,
    encoding: Encoding = None,
    report: Annotated[bool, typer.Option("--report", help="Also write the report files.")] = False,
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Folder for the report.")] = Path("reports"),
) -> None:
    """Report repeated paragraphs: where, what they repeat, how similar."""
    cfg, chosen = _settings(paths, glob, keep, keep_priority, boilerplate, threshold,
                            lsh_threshold, shingle_size, num_perm, short_words,
                            boilerplate_min_files, jobs, config)
    result = api.scan(chosen, cfg, exclude=[report_dir] if report else [], encoding=encoding)
    _warn_skipped(result)
    typer.echo(render(result, format.value), nl=False)
    if report:
        written = write_reports(result, report_dir)
        typer.echo(f"report: {', '.join(str(p) for p in written)}", err=True)


@app.command()
def clean(
    paths: Paths = None,
    write: Annotated[bool, typer.Option("--write", help="Write cleaned copies and the report "
                                                        "(default: only print the diff).")] = False,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Folder for cleaned copies [default: cleaned/ beside the input].")] = None,
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Folder for the report.")] = Path("reports"),
    glob: Glob = None, keep: KeepOpt = None, keep_priority: KeepPriority = None,
    boilerplate: Boiler = None, threshold: Threshold = None, lsh_threshold: LshThreshold = None,
    shingle_size: Shingle = None, num_perm: NumPerm = None, short_words: ShortWords = None,
    boilerplate_min_files: BoilerFiles = None, jobs: Jobs = None, config: ConfigFile = None,
    encoding: Encoding = None,
) -> None:
    """Show (or with --write, apply to copies) the removal of repeated paragraphs."""
    cfg, chosen = _settings(paths, glob, keep, keep_priority, boilerplate, threshold,
                            lsh_threshold, shingle_size, num_perm, short_words,
                            boilerplate_min_files, jobs, config)
    target = out or api.default_out(chosen)
    result = api.scan(chosen, cfg, exclude=[target, report_dir], encoding=encoding)
    _warn_skipped(result)
    if not write:
        typer.echo(api.diff(result), nl=False)
        typer.echo(render(result, "text").splitlines()[-1], err=True)
        return
    try:
        written = api.write_cleaned(result, chosen, target)
    except (ValueError, OSError) as exc:
        _fail(str(exc))
    reports = write_reports(result, report_dir)
    typer.echo(f"wrote {len(written.written)} files ({written.changed} changed) to "
               f"{written.out}; report: {', '.join(str(p) for p in reports)}", err=True)
    typer.echo(render(result, "text").splitlines()[-1], err=True)


def main() -> None:
    app()


# Further commands live in their own modules and register themselves on ``app``.
from . import cli_check, cli_report  # noqa: E402,F401
