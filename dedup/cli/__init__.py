"""The ``dedup`` command: parses options and calls the library, nothing more.

Exit codes: 0 the run finished (repeats found or not, files skipped or not);
2 usage or settings errors, an unsafe or failed write, or ``--strict`` with
skipped files (then nothing is written: no cleaned file, no report).

Every file that cannot be read (binary, undecodable, unreadable, vanished,
not a regular file) is skipped with a one-line warning naming it, and a last
warning counts the skips by reason. Warnings and errors go to stderr and
show even with ``--quiet``, which only silences the progress bar and the
status lines.
"""

from __future__ import annotations

import signal
import sys
import time
import traceback
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import api
from ..output.clean import mark_output
from ..runtime import check_stop, stop_on_signals, stop_requested, writing
from ..config import ConfigError, load_config
from ..input.documents import OUTPUT_MARKER, InputError, skip_summary
from ..report import render, write_reports

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
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
    html = "html"


Paths = Annotated[Optional[list[Path]], typer.Argument(
    help="Files or folders (folders are read recursively). "
         "Default: 'paths' from the configuration, else the working folder.")]
# scan and clean also take fsspec URLs (with --engine dask), which a Path would mangle.
InputPaths = Annotated[Optional[list[str]], typer.Argument(
    help="Files or folders (folders are read recursively); with --engine dask also fsspec "
         "URLs (s3://bucket/news, file:///data/news). "
         "Default: 'paths' from the configuration, else the working folder.")]
Glob = Annotated[Optional[str], typer.Option(
    help="Files to read inside folders [default: *.txt]. Files ending in .html or .htm are "
         "read as HTML pages, their text blocks the paragraphs (e.g. --glob '*.html').")]
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
              shingle_size, num_perm, short_words, boilerplate_min_files, jobs, config,
              article_threshold=None, drop_repeated_articles=None):
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
                          boilerplate_min_files=boilerplate_min_files, jobs=jobs,
                          article_threshold=article_threshold,
                          drop_repeated_articles=drop_repeated_articles)
    except ConfigError as exc:
        _fail(str(exc))
    chosen = ([p if _is_url(p) else Path(p) for p in paths] if paths
              else [Path(p) for p in cfg.paths] or [Path(".")])
    missing = [str(p) for p in chosen if not _is_url(p) and not p.exists()]
    if missing:
        _fail(f"no such file or directory: {', '.join(missing)}")
    return cfg, chosen


def _is_url(path) -> bool:
    return "://" in str(path)


def _fail(message: str) -> None:
    typer.echo(f"dedup: error: {message}", err=True)
    raise typer.Exit(2)


ArticleThreshold = Annotated[Optional[float], typer.Option(
    "--article-threshold", help="Share of an article's text that must repeat one other "
                                "article for it to be an article repeat [default: 0.8].")]
DropArticles = Annotated[Optional[bool], typer.Option(
    "--drop-repeated-articles/--keep-repeated-articles",
    help="Leave out of --out an article that repeats a kept article and of which nothing "
         "but its headline remains once its repeats are removed (listed in the report with "
         "the article kept), or write what remains of it [default: leave out]. --in-place "
         "never deletes a file: it writes what remains.", show_default=False)]
Strict = Annotated[bool, typer.Option(
    "--strict", help="Exit 2 when any file is skipped (binary, undecodable, unreadable, ...); "
                     "nothing is written then, neither cleaned files nor the report.")]
Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress bar and no status lines; warnings and errors still show.")]


class Engine(str, Enum):
    local = "local"
    dask = "dask"


EngineOpt = Annotated[Engine, typer.Option(
    "--engine", help="Where the work runs: this machine's processes, or a Dask cluster "
                     "(needs the 'dask' extra: pip install 'news-dedup[dask]').")]
Scheduler = Annotated[Optional[str], typer.Option(
    "--scheduler", metavar="ADDRESS",
    help="With --engine dask: the scheduler of the cluster to run on (tcp://host:8786); "
         "default: a local cluster of --jobs worker processes (2 when --jobs is not given).")]
Jsonl = Annotated[Optional[str], typer.Option(
    "--jsonl", metavar="FIELD",
    help="Read JSON Lines (*.jsonl in folders): each line a JSON object whose FIELD holds a "
         "document's text, named FILE:LINE. Cleaned copies are the same records with FIELD "
         "cleaned.")]
MemoryLimit = Annotated[Optional[str], typer.Option(
    "--memory-limit", metavar="SIZE",
    help="With --engine dask and no --scheduler: memory of each local worker (e.g. 2GiB); "
         "past 60% of it a worker spills what it keeps to disk. Default: the machine's memory "
         "shared among the workers, at most 4GiB each.")]
JsonlId = Annotated[Optional[str], typer.Option(
    "--jsonl-id", metavar="FIELD",
    help="With --jsonl: name each document by this field of its record (ids must be unique).")]
ParquetColumn = Annotated[Optional[str], typer.Option(
    "--parquet-column", metavar="COLUMN",
    help="Read Parquet (*.parquet in folders; a file ending in .parquet is always read as "
         "Parquet, with the column 'text'): each row a document whose COLUMN holds its text, "
         "named FILE:ROW (rows from 0). Cleaned copies are Parquet with COLUMN cleaned and "
         "every other column as it was.")]
ParquetId = Annotated[Optional[str], typer.Option(
    "--parquet-id", metavar="COLUMN",
    help="Name each Parquet row by this column (strings or integers; ids must be unique).")]


def _parquet(chosen, glob: str, column: Optional[str], id_column: Optional[str],
             jsonl: Optional[str]):
    """The Parquet spec of a run that reads Parquet, else None."""
    from ..engines.parquet_input import ParquetError, run_spec
    try:
        spec = run_spec(chosen, glob, column, id_column)
    except ParquetError as exc:
        _fail(str(exc))
    if spec is not None and jsonl:
        _fail("--jsonl and Parquet input cannot be read in one run")
    return spec


@contextmanager
def _engine(engine: Engine, scheduler: Optional[str], cfg, memory_limit: Optional[str] = None):
    """A Dask client for --engine dask (None for the local engine)."""
    if memory_limit is not None and (engine is not Engine.dask or scheduler is not None):
        _fail("--memory-limit only goes with --engine dask without --scheduler")
    if engine is not Engine.dask:
        if scheduler is not None:
            _fail("--scheduler only goes with --engine dask")
        yield None
        return
    try:
        from ..engines import engine_dask
    except ImportError as exc:
        _fail(f"--engine dask needs dask and distributed: pip install 'news-dedup[dask]' ({exc})")
    connection = engine_dask.connect(scheduler, cfg.jobs or None, memory_limit)
    try:
        client = connection.__enter__()
    except OSError as exc:
        _fail(f"cannot reach the Dask scheduler {scheduler}: {exc}")
    except ValueError as exc:
        _fail(f"--memory-limit: {exc}")
    try:
        yield client
    finally:
        connection.__exit__(None, None, None)


class _Scanned:
    """A finished scan and how its cleaned copies are written."""

    def __init__(self, result, write) -> None:
        self.result, self.write = result, write


def _run(client, chosen, cfg, *, jsonl, jsonl_id, exclude, encoding, progress,
         temp_files, originals=None, parquet=None) -> _Scanned:
    """Scan with the engine chosen (a Dask client, or None for the local engine)."""
    from ..engines.jsonl import JsonlError, JsonlSpec
    try:
        spec = JsonlSpec.of(jsonl, jsonl_id)
    except JsonlError as exc:
        _fail(str(exc))
    try:
        if client is not None:
            from ..engines import engine_dask
            run = engine_dask.scan(client, chosen, cfg, exclude=exclude, encoding=encoding,
                                   jsonl=spec, temp_files=temp_files, parquet=parquet)
            def write_dask(out, summary, started):
                return engine_dask.write_cleaned(client, run, out, started)
            return _Scanned(run.result, write_dask)
        urls = [str(p) for p in chosen if _is_url(p)]
        if urls:
            _fail(f"URLs are read by --engine dask only: {urls[0]}")
        if parquet is not None:
            from ..engines import parquet_input
            found = parquet_input.scan_parquet(chosen, cfg, parquet, exclude=exclude,
                                               temp_files=temp_files, progress=progress)
            return _Scanned(found.result,
                            lambda out, summary, started: parquet_input.write_parquet(
                                found, chosen, out, summary, started))
        if spec is not None:
            from ..engines import jsonl as jsonl_input
            scanned = jsonl_input.scan_jsonl(chosen, cfg, spec, exclude=exclude,
                                             temp_files=temp_files)
            return _Scanned(scanned.result,
                            lambda out, summary, started: jsonl_input.write_jsonl(
                                scanned, chosen, out, summary, started))
        result = api.scan(chosen, cfg, exclude=exclude, encoding=encoding, progress=progress,
                          temp_files=temp_files, originals=originals)
        return _Scanned(result, lambda out, summary, started: api.write_cleaned(
            result, chosen, out, workers=cfg.workers, summary=summary, started=started))
    except JsonlError as exc:
        _fail(str(exc))


#: Seconds a run must last before the progress bar appears.
PROGRESS_DELAY = 0.5


def _warn(line: str) -> None:
    typer.echo(f"dedup: warning: {line}", err=True)


def _status(line: str, quiet: bool) -> None:
    if not quiet:
        typer.echo(line, err=True)


def _warn_skipped(result, temp_files: list[str] = ()) -> None:
    """One line per skipped file, then one counting them by reason."""
    for line in result.skipped:
        _warn(line)
    if result.skipped:
        _warn(skip_summary(result.skipped))
    if temp_files:
        _warn(f"ignored {len(temp_files)} temporary file{'s' if len(temp_files) > 1 else ''} "
              f"left by an interrupted write ({temp_files[0]}"
              f"{', ...' if len(temp_files) > 1 else ''}); safe to delete")


def _strict_stop(result, what: str) -> None:
    if result.skipped:
        _fail(f"--strict: {skip_summary(result.skipped)}; {what}")


@contextmanager
def _progress(quiet: bool, force: bool = False):
    """A ``progress(done, total)`` callback drawing a bar on stderr, or None.

    Off with ``--quiet`` or when stderr is not a terminal; the bar appears
    only once a run has lasted ``PROGRESS_DELAY`` seconds and is erased at
    the end.
    """
    if quiet or not (force or sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeRemainingColumn)
    console = Console(stderr=True, force_terminal=force or None)
    bar = Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=console, transient=True)
    started = time.monotonic()
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            if time.monotonic() - started < PROGRESS_DELAY and done < total:
                return
            bar.start()
            task = bar.add_task("reading", total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if task is not None:
            bar.stop()


@app.command()
def scan(
    paths: InputPaths = None,
    format: Annotated[ScanFormat, typer.Option("--format", "-f", help="Output format.")] = ScanFormat.text,
    glob: Glob = None, keep: KeepOpt = None, keep_priority: KeepPriority = None,
    boilerplate: Boiler = None, threshold: Threshold = None, lsh_threshold: LshThreshold = None,
    shingle_size: Shingle = None, num_perm: NumPerm = None, short_words: ShortWords = None,
    boilerplate_min_files: BoilerFiles = None, jobs: Jobs = None, config: ConfigFile = None,
    encoding: Encoding = None,
    report: Annotated[bool, typer.Option(
        "--report/--no-report", help="Also write the report files (report.html, report.md, "
                                     "report.json) to --report-dir.")] = False,
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Folder for the report.")] = Path("reports"),
    strict: Strict = False, quiet: Quiet = False, article_threshold: ArticleThreshold = None,
    engine: EngineOpt = Engine.local, scheduler: Scheduler = None, jsonl: Jsonl = None,
    jsonl_id: JsonlId = None, memory_limit: MemoryLimit = None,
    parquet_column: ParquetColumn = None, parquet_id: ParquetId = None,
) -> None:
    """Report repeated paragraphs: where, what they repeat, how similar.

    Files that cannot be read as text are skipped with a warning naming each
    one; with --strict any skip makes the exit code 2 (the findings are still
    printed, the report is not written).
    """
    if jsonl and glob is None:
        glob = "*.jsonl"
    if (parquet_column or parquet_id) and glob is None:
        glob = "*.parquet"
    cfg, chosen = _settings(paths, glob, keep, keep_priority, boilerplate, threshold,
                            lsh_threshold, shingle_size, num_perm, short_words,
                            boilerplate_min_files, jobs, config, article_threshold)
    parquet = _parquet(chosen, cfg.glob, parquet_column, parquet_id, jsonl)
    temp_files: list[str] = []
    with stop_on_signals(), _engine(engine, scheduler, cfg, memory_limit) as client, \
            _progress(quiet or client is not None) as progress, _before_writing():
        result = _run(client, chosen, cfg, jsonl=jsonl, jsonl_id=jsonl_id,
                      exclude=[report_dir] if report else [], encoding=encoding,
                      progress=progress, temp_files=temp_files, parquet=parquet).result
    _warn_skipped(result, temp_files)
    typer.echo(render(result, format.value), nl=False)
    if strict:
        _strict_stop(result, "report not written" if report else "exit 2")
    if report:
        written = write_reports(result, report_dir)
        _status(f"report: {', '.join(str(p) for p in written)}", quiet)


@app.command()
def clean(
    paths: InputPaths = None,
    write: Annotated[bool, typer.Option("--write", help="Write cleaned copies and the report "
                                                        "(default: only print the diff).")] = False,
    out: Annotated[Optional[str], typer.Option(
        "--out", help="Folder for cleaned copies [default: cleaned/ beside the input]. "
                      "Must not be an input folder or hold one. With --engine dask it may be "
                      "an fsspec URL.")] = None,
    in_place: Annotated[bool, typer.Option(
        "--in-place", help="Rewrite the changed files themselves instead of writing copies "
                           "(implies --write; not with --out). Each file is replaced atomically "
                           "with its permissions kept, after its original is saved as FILE.orig "
                           "(or under --backup-dir); an existing backup that differs stops the "
                           "run before anything is written.")] = False,
    backup_dir: Annotated[Optional[Path], typer.Option(
        "--backup-dir", help="With --in-place: keep the originals in this folder, at their "
                             "paths relative to the input, instead of FILE.orig.")] = None,
    no_backup: Annotated[bool, typer.Option(
        "--no-backup", help="With --in-place: keep no copy of the originals.")] = False,
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Folder for the report.")] = Path("reports"),
    report: Annotated[bool, typer.Option(
        "--report/--no-report", help="With --write: also write the report (report.html, "
                                     "report.md, report.json) to --report-dir.")] = True,
    glob: Glob = None, keep: KeepOpt = None, keep_priority: KeepPriority = None,
    boilerplate: Boiler = None, threshold: Threshold = None, lsh_threshold: LshThreshold = None,
    shingle_size: Shingle = None, num_perm: NumPerm = None, short_words: ShortWords = None,
    boilerplate_min_files: BoilerFiles = None, jobs: Jobs = None, config: ConfigFile = None,
    encoding: Encoding = None, strict: Strict = False, quiet: Quiet = False,
    article_threshold: ArticleThreshold = None, drop_repeated_articles: DropArticles = None,
    engine: EngineOpt = Engine.local, scheduler: Scheduler = None, jsonl: Jsonl = None,
    jsonl_id: JsonlId = None, memory_limit: MemoryLimit = None,
    parquet_column: ParquetColumn = None, parquet_id: ParquetId = None,
) -> None:
    """Show (or with --write, apply to copies) the removal of repeated paragraphs.

    Every write is atomic: a run killed at any moment leaves each file with
    its old content or its new one. Skipped files are not copied to --out;
    with --strict a skipped file stops the run before anything is written.
    """
    if in_place and out is not None:
        _fail("--in-place and --out cannot be used together")
    if not in_place and (no_backup or backup_dir is not None):
        _fail("--no-backup and --backup-dir only go with --in-place")
    if no_backup and backup_dir is not None:
        _fail("--no-backup and --backup-dir cannot be used together")
    if in_place and drop_repeated_articles:
        _fail("--drop-repeated-articles writes copies; --in-place never deletes a file "
              "(it writes what remains of a repeated article)")
    if in_place:
        drop_repeated_articles = False
    if in_place and engine is Engine.dask:
        _fail("--in-place is not available with --engine dask; write copies with --out")
    if in_place and jsonl:
        _fail("--in-place is not available with --jsonl; write copies with --out")
    if jsonl and glob is None:
        glob = "*.jsonl"
    if (parquet_column or parquet_id) and glob is None:
        glob = "*.parquet"
    cfg, chosen = _settings(paths, glob, keep, keep_priority, boilerplate, threshold,
                            lsh_threshold, shingle_size, num_perm, short_words,
                            boilerplate_min_files, jobs, config, article_threshold,
                            drop_repeated_articles)
    parquet = _parquet(chosen, cfg.glob, parquet_column, parquet_id, jsonl)
    if in_place and parquet:
        _fail("--in-place is not available with Parquet input; write copies with --out")
    write = write or in_place
    local_inputs = [p for p in chosen if not _is_url(p)]
    if out is None and not in_place and len(local_inputs) < len(chosen):
        _fail("give --out for the cleaned copies of URL inputs")
    target = (None if in_place else out if out is not None and _is_url(out)
              else Path(out) if out is not None else api.default_out(chosen))
    exclude = [report_dir]
    try:
        if target is not None and not _is_url(target):
            api.check_out(local_inputs, target)
            exclude.append(target)
        if backup_dir is not None:
            api.check_out(chosen, backup_dir, "--backup-dir")
            exclude.append(backup_dir)
    except api.WriteError as exc:
        _fail(str(exc))
    temp_files: list[str] = []
    with stop_on_signals(), _engine(engine, scheduler, cfg, memory_limit) as client:
        with _progress(quiet or client is not None) as progress, _before_writing():
            # Finishing an interrupted --in-place run: decide on the text it
            # decided on, the backups of the files it had rewritten.
            originals = (api.resumed_originals(chosen, backup_dir)
                         if in_place and not no_backup else None)
            scanned = _run(client, chosen, cfg, jsonl=jsonl, jsonl_id=jsonl_id, exclude=exclude,
                           encoding=encoding, progress=progress, temp_files=temp_files,
                           originals=originals, parquet=parquet)
        _clean_output(scanned, chosen, write, in_place, strict, quiet, target, no_backup,
                      backup_dir, report_dir if report else None, temp_files)


def _clean_output(scanned, chosen, write, in_place, strict, quiet, target, no_backup,
                  backup_dir, report_dir, temp_files) -> None:
    """Print the diff, or write the copies (or files in place) and the report.

    An interrupt (Ctrl-C, SIGTERM) while writing ends the run with one line
    saying what was written and how to finish; the output folder's marker
    still says the copies are not complete.
    """
    summary = api.WriteSummary(target if isinstance(target, Path) else None)
    try:
        with writing():
            _clean_output_steps(scanned, chosen, write, in_place, strict, quiet, target,
                                no_backup, backup_dir, report_dir, temp_files, summary)
    except KeyboardInterrupt:
        _interrupted(summary, in_place, target, report_dir)


def _clean_output_steps(scanned, chosen, write, in_place, strict, quiet, target, no_backup,
                        backup_dir, report_dir, temp_files, summary) -> None:
    result = scanned.result
    _warn_skipped(result, temp_files)
    if not write:
        typer.echo(api.diff(result), nl=False)
        _status(render(result, "text").splitlines()[-1], quiet)
        if strict:
            _strict_stop(result, "exit 2")
        return
    if strict:
        _strict_stop(result, "nothing written")
    local_out = isinstance(target, Path)
    try:
        if in_place:
            written = api.write_in_place(result, chosen, backup=not no_backup,
                                         backup_dir=backup_dir)
        else:
            def started() -> None:
                # Before the first copy: the folder says it is not complete yet.
                if local_out:
                    mark_output(target, "copies", complete=False,
                                inputs=[str(p) for p in chosen])
            written = scanned.write(target, summary, started)
    except (ValueError, OSError) as exc:
        _fail(str(exc))
    check_stop()
    if local_out:
        mark_output(target, "copies", complete=True, inputs=[str(p) for p in chosen],
                    written=len(written.written), changed=written.changed)
    summary.finished = True
    for line in written.not_written:
        _warn(line)
    reports = []
    if report_dir is not None:
        try:
            reports = write_reports(result, report_dir)
        except InputError as exc:     # a file changed after the scan: its diff cannot be shown
            _fail(f"report not written: {exc}")
    shown = f"report: {', '.join(str(p) for p in reports)}" if reports else "no report"
    if in_place:
        kept = (f"; originals in {backup_dir}" if backup_dir is not None and written.backups
                else "; originals kept as FILE.orig" if written.backups else "")
        if written.done:
            kept += (f"; {len(written.done)} already cleaned by an earlier run "
                     "(decided again from their backups)")
        _status(f"rewrote {written.changed} files in place{kept}; {shown}", quiet)
    else:
        _status(f"wrote {len(written.written)} files ({written.changed} changed) to "
                f"{written.out}; {shown}", quiet)
    _status(render(result, "text").splitlines()[-1], quiet)


@contextmanager
def _before_writing():
    """An interrupt while reading and comparing: one line, nothing written."""
    try:
        yield
        check_stop()          # a request a finaliser swallowed stops here
    except KeyboardInterrupt:
        typer.echo("dedup: interrupted while reading and comparing; nothing written; run "
                   "the same command again", err=True)
        raise typer.Exit(128 + (stop_requested() or signal.SIGINT)) from None


def _interrupted(summary, in_place: bool, target, report_dir) -> None:
    """One line for an interrupted write, then exit 128 + the signal."""
    if in_place:
        done = "every file is whole, its old text or its new one (with its backup)"
        how = "run the same command again to finish (it resumes from the backups)"
    elif summary.finished:
        done = f"all {len(summary.written)} cleaned copies written to {target}"
        how = "run the same command again for the report"
    else:
        planned = f" of {summary.planned}" if summary.planned is not None else ""
        done = (f"{len(summary.written)}{planned} cleaned copies written to {target}, each "
                f"whole; the folder is marked partial ({OUTPUT_MARKER})")
        how = "run the same command again for the full result"
    report = "" if report_dir is None else "; no report written"
    typer.echo(f"dedup: interrupted: {done}{report}; {how}", err=True)
    raise typer.Exit(128 + (stop_requested() or signal.SIGINT))


def main() -> None:
    """The ``dedup`` command. A failure of dedup itself (a bug, not bad input,
    which is reported file by file) exits 2, as usage errors do: ``check``'s
    exit 1 says "something repeats" and must not stand for a crash."""
    try:
        app()
    except Exception as exc:       # SystemExit and KeyboardInterrupt pass
        traceback.print_exc()
        typer.echo(f"dedup: internal error: {type(exc).__name__}: {exc} (traceback above; "
                   "each file written so far is whole: files are written whole or not at "
                   "all)", err=True)
        sys.exit(2)


# Further commands live in their own modules and register themselves on ``app``.
from . import check as cli_check, explain as cli_report  # noqa: E402,F401
