"""``dedup check`` and ``dedup index add|remove|stats``: the CI gate.

Exit codes of ``check``: 0 nothing repeats (or every repeat is accepted by the
baseline), 1 something repeats, 2 usage errors, an unusable index or baseline,
or ``--strict`` with a file skipped.
The index commands exit 0 on success and 2 on errors.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..gate.check import Baseline, BaselineError, SkippedInput, check, check_texts, jsonl_texts
from ..checkfmt import render
from ..checkfmt.text import quiet_lines, summary_line
from ..output.clean import atomic_write
from . import (BoilerFiles, ConfigFile, Encoding, Glob, Jobs, JsonlId, LshThreshold,
               NumPerm, ParquetColumn, ParquetId, Shingle, ShortWords, Threshold, _fail,
               _parquet, _settings, app)
from ..input.documents import discover, skip_summary
from ..gate.index import DEFAULT_PATH, Index, IndexFileError
from ..engines.jsonl import JsonlError, JsonlSpec, plain_text_warnings
from ..report import report_bytes


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"
    sarif = "sarif"


class StatsFormat(str, Enum):
    text = "text"
    json = "json"


IndexOpt = Annotated[Path, typer.Option(
    "--index", help="The index file.", dir_okay=False)]
NewPaths = Annotated[list[Path], typer.Argument(
    help="Files or folders (folders are read recursively for --glob).")]
GateJsonl = Annotated[Optional[str], typer.Option(
    "--jsonl", metavar="FIELD",
    help="Read JSON Lines (*.jsonl in folders): each line a JSON object whose FIELD holds an "
         "article, named FILE:LINE or by --jsonl-id.")]
Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", help="Print only what fails (and errors and warnings); nothing when "
                          "all is well.")]
Root = Annotated[Optional[Path], typer.Option(
    "--root", file_okay=False,
    help="When the index is created: the folder its paths are relative to [default: the "
         "working folder]. An existing index keeps the root it records.")]

index_app = typer.Typer(no_args_is_help=True, add_completion=False,
                        help="The persistent index of ingested articles that 'dedup check' "
                             "compares new ones with.")
app.add_typer(index_app, name="index")


def _open(path: Path, cfg=None, create: bool = False, root: Path | None = None) -> Index:
    try:
        idx = Index(path, cfg, create=create, root=root)
    except IndexFileError as exc:
        _fail(str(exc))
    if idx.upgraded:
        _warn([f"{path}: upgraded to index schema version 2; its paths are taken as relative "
               f"to {idx.root}"])
    return idx


def _inputs(paths: list[Path], glob: str | None, jsonl: str | None, jsonl_id: str | None,
            parquet=None):
    """Files to read and the JSON Lines or Parquet spec (None: plain text); warns
    as it goes."""
    try:
        spec = JsonlSpec.of(jsonl, jsonl_id)
    except JsonlError as exc:
        _fail(str(exc))
    files, warnings = discover(paths, glob)
    if not jsonl and parquet is None:
        warnings += plain_text_warnings(files)
    _warn(warnings)
    return files, warnings, parquet or spec


def _records(idx: Index, files, spec):
    """``(name, text)`` of the records of JSON Lines or Parquet files, and skip messages."""
    if isinstance(spec, JsonlSpec):
        return jsonl_texts(idx, files, spec)
    from ..engines.parquet_input import records
    return records(idx.paths_of(files), spec)


def _warn(lines) -> None:
    for line in lines:
        typer.echo(f"dedup: warning: {line}", err=True)


@index_app.command("add")
def index_add(
    paths: NewPaths,
    index: IndexOpt = DEFAULT_PATH,
    glob: Glob = None, lsh_threshold: LshThreshold = None, shingle_size: Shingle = None,
    num_perm: NumPerm = None, jobs: Jobs = None, config: ConfigFile = None,
    encoding: Encoding = None, jsonl: GateJsonl = None, jsonl_id: JsonlId = None,
    root: Root = None, quiet: Quiet = False,
    parquet_column: ParquetColumn = None, parquet_id: ParquetId = None,
) -> None:
    """Ingest articles into the index (created if missing), in one transaction.

    Adding a file again changes nothing; a changed file replaces its old
    paragraphs. Files are named relative to the index's root (the working
    folder when the index was created, or --root), so any folder works.
    With --jsonl, each record is an article named by --jsonl-id (or FILE:LINE).
    """
    if jsonl and glob is None:
        glob = "*.jsonl"
    if (parquet_column or parquet_id) and glob is None:
        glob = "*.parquet"
    cfg, chosen = _settings(paths, glob, None, None, None, None, lsh_threshold, shingle_size,
                            num_perm, None, None, jobs, config)
    files, _, spec = _inputs(chosen, cfg.glob, jsonl, jsonl_id,
                             _parquet(chosen, cfg.glob, parquet_column, parquet_id, jsonl))
    with _open(index, cfg, create=True, root=root) as idx:
        try:
            if spec is None:
                summary = idx.add(files, encoding=encoding)
            else:
                items, lost = _records(idx, files, spec)
                summary = idx.add_texts(items)
                summary.skipped[:0] = lost
        except (IndexFileError, JsonlError) as exc:
            _fail(str(exc))
        except sqlite3.Error as exc:
            _fail(f"{index}: {exc}")
        _warn(summary.skipped)
        n_files, n_paragraphs = idx.counts()
    if not quiet:
        typer.echo(f"{index}: {summary.line()}; the index holds {n_files} files, "
                   f"{n_paragraphs} paragraphs")


@index_app.command("remove")
def index_remove(
    paths: Annotated[list[str], typer.Argument(
        help="Paths as stored (as 'add' showed them), or folders: every stored file below.")],
    index: IndexOpt = DEFAULT_PATH,
) -> None:
    """Take files out of the index, in one transaction."""
    with _open(index) as idx:
        try:
            removed, unmatched = idx.remove(paths)
        except IndexFileError as exc:
            _fail(str(exc))
        except sqlite3.Error as exc:
            _fail(f"{index}: {exc}")
        _warn(f"{name}: not in the index" for name in unmatched)
        n_files, n_paragraphs = idx.counts()
    typer.echo(f"{index}: removed {len(removed)} files; the index holds {n_files} files, "
               f"{n_paragraphs} paragraphs")


@index_app.command("stats")
def index_stats(
    index: IndexOpt = DEFAULT_PATH,
    format: Annotated[StatsFormat, typer.Option("--format", "-f", help="Output format.")]
    = StatsFormat.text,
) -> None:
    """What the index holds, its size and the settings it was built with."""
    with _open(index) as idx:
        stats = idx.stats()
    if format == StatsFormat.json:
        typer.echo(json.dumps(stats, indent=2))
        return
    per = stats["bytes_per_paragraph"]
    lines = [
        f"index:        {stats['index']} (schema version {stats['schema_version']})",
        f"root:         {stats['root']} (paths are relative to it)",
        f"files:        {stats['files']}",
        f"paragraphs:   {stats['paragraphs']}",
        f"size:         {stats['bytes']} bytes" + (f" ({per} per paragraph)" if per else ""),
        f"created:      {stats['created']}",
        f"updated:      {stats['updated']}",
        "settings:     " + ", ".join(f"{k}={v}" for k, v in stats["settings"].items()),
    ]
    typer.echo("\n".join(lines))


@app.command("check")
def check_cmd(
    paths: NewPaths,
    index: IndexOpt = DEFAULT_PATH,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")]
    = CheckFormat.text,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write the output to this file instead of standard output.",
        dir_okay=False)] = None,
    add: Annotated[bool, typer.Option(
        "--add", help="When the check passes, ingest the new articles into the index "
                      "(same transaction; creates the index if missing).")] = False,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="JSON file of accepted repeats (see --write-baseline); "
                           "they are reported but do not fail the check.",
        dir_okay=False)] = None,
    write_baseline: Annotated[Optional[Path], typer.Option(
        "--write-baseline", help="Accept every current repeat: write them to this "
                                 "baseline file and pass.", dir_okay=False)] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 2 when any file is skipped (binary, undecodable, unreadable, "
                         "a name the index cannot store); nothing is checked or added then.")]
    = False,
    glob: Glob = None, threshold: Threshold = None, lsh_threshold: LshThreshold = None,
    shingle_size: Shingle = None, num_perm: NumPerm = None, short_words: ShortWords = None,
    boilerplate_min_files: BoilerFiles = None, jobs: Jobs = None, config: ConfigFile = None,
    encoding: Encoding = None, jsonl: GateJsonl = None, jsonl_id: JsonlId = None,
    root: Root = None, quiet: Quiet = False,
    parquet_column: ParquetColumn = None, parquet_id: ParquetId = None,
) -> None:
    """Check new articles for repeats inside them, among them and against the index.

    Exit 0 when nothing repeats, 1 when something does (a repeated paragraph or
    a whole-article repeat), 2 on errors. With --jsonl, each record is an
    article named by --jsonl-id (or FILE:LINE).
    """
    if jsonl and glob is None:
        glob = "*.jsonl"
    if (parquet_column or parquet_id) and glob is None:
        glob = "*.parquet"
    cfg, chosen = _settings(paths, glob, None, None, None, threshold, lsh_threshold,
                            shingle_size, num_perm, short_words, boilerplate_min_files, jobs,
                            config)
    accepted = None
    if baseline is not None:
        try:
            accepted = Baseline.load(baseline)
        except BaselineError as exc:
            _fail(str(exc))
    files, warnings, spec = _inputs(chosen, cfg.glob, jsonl, jsonl_id,
                                    _parquet(chosen, cfg.glob, parquet_column, parquet_id, jsonl))
    if strict and warnings:
        _fail(f"--strict: {skip_summary(warnings)}; nothing checked or added")
    with _open(index, cfg, create=add, root=root) as idx:
        try:
            options = dict(baseline=accepted, accept_all=write_baseline is not None, add=add,
                           strict=strict)
            if spec is None:
                report = check(idx, files, cfg, encoding=encoding, **options)
            else:
                items, lost = _records(idx, files, spec)
                report = check_texts(idx, items, cfg, skipped=lost, **options)
        except SkippedInput as exc:
            _warn(exc.skipped)
            _fail(f"--strict: {skip_summary(exc.skipped)}; nothing checked or added")
        except (IndexFileError, JsonlError) as exc:
            _fail(str(exc))
        except sqlite3.Error as exc:
            _fail(f"{index}: {exc}")
    _warn(report.skipped)
    if write_baseline is not None:
        try:
            atomic_write(write_baseline,
                         report_bytes(Baseline.of_report(report).dumps()))
        except OSError as exc:
            _fail(f"{write_baseline}: cannot write baseline: {exc.strerror or exc}")
        report.baseline_written = str(write_baseline)
    text = render(report, format.value)
    if quiet and format == CheckFormat.text:
        text = "".join(f"{line}\n" for line in quiet_lines(report))
    if output is not None:
        try:
            atomic_write(output, report_bytes(text))
        except OSError as exc:
            _fail(f"{output}: cannot write: {exc.strerror or exc}")
        if format != CheckFormat.text and not (quiet and report.passed):
            sys.stderr.write(summary_line(report) + "\n")
    else:
        typer.echo(text, nl=False)
    if not report.passed:
        raise typer.Exit(1)
