"""The library: what the command line calls, usable on its own from Python.

>>> from dedup import scan_texts
>>> result = scan_texts({"a.txt": "Title here now\\n\\nTitle here now\\n\\nBody text."})
>>> [(f.kind, f.first, f.kept_first) for f in result.findings]
[('exact', 1, 0)]
"""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path
from typing import Callable

from .output.clean import (WriteError, WriteSummary, atomic_write, check_target, cleaned_text,
                           folder_prefix, output_base, remove_dead_temporaries, unified_diff)
from .config import Config
from .input.corpus import corpus_from_texts, read_corpus
from .decisions.detect import decide
from .input.documents import (BACKUP_SUFFIX, Document, InputError, discover, read_regular_file,
                              read_texts, same_bytes)
from .model import ScanResult
from .output.plan import check as check_plan
from .pool import MadeOnDemand, ordered_map
from .runtime import check_stop, collector_paused, stop_requested


def scan(paths: list[str | Path], config: Config | None = None, *,
         exclude: list[Path] = (), encoding: str | None = None,
         progress: Callable[[int, int], None] | None = None,
         temp_files: list[str] | None = None,
         originals: Callable[[str], Path | None] | None = None) -> ScanResult:
    """Find repeated paragraphs in files and folders (folders recursively).

    ``progress(done, total)`` is called as files are read. Files that cannot
    be read as text are skipped, each with a one-line message in
    ``result.skipped`` (see :func:`dedup.input.documents.skip_reason`). Temporary
    files a killed write left behind are never read; their names are added to
    ``temp_files`` when a list is given.

    ``originals(display path)``, when given, may name another file to read
    in place of one: the backup an interrupted ``clean --in-place`` left of a
    file it had already rewritten, so that the run that finishes the job
    decides on the text the interrupted one decided on.
    """
    cfg = config or Config()
    files, warnings = discover([Path(p) for p in paths], cfg.glob, list(exclude), temp_files)
    if originals is not None:
        files = [(originals(display) or path, display) for path, display in files]
    seen = [0]

    def counter(n: int) -> None:
        seen[0] += n
        progress(seen[0], len(files))
    result = decide(read_corpus(files, cfg, encoding, counter if progress else None), cfg,
                    release=True)
    result.skipped[:0] = warnings
    return result


def scan_texts(texts: dict[str, str], config: Config | None = None) -> ScanResult:
    """Find repeated paragraphs in texts held in memory (``name -> text``)."""
    cfg = config or Config()
    return decide(corpus_from_texts(texts, cfg), cfg)


def cleaned(result: ScanResult) -> dict[str, str]:
    """Cleaned text of every document ``clean`` writes, by path (whole-article
    repeats it leaves out are not in it)."""
    dropped = result.dropped_articles()
    return {doc.path: cleaned_text(doc, result.removed_in(i))
            for i, doc in enumerate(result.documents) if i not in dropped}


def diff(result: ScanResult) -> str:
    """Unified diff of every changed document; a dropped article loses every line."""
    dropped = result.dropped_articles()
    parts = []
    for i, doc in enumerate(result.documents):
        if i in dropped:
            parts.append(unified_diff(doc, {p.index for p in doc.paragraphs},
                                      to_name="/dev/null"))
        elif result.removed_in(i):
            parts.append(unified_diff(doc, result.removed_in(i)))
    return "".join(parts)


def default_out(paths: list[str | Path]) -> Path:
    """``cleaned/`` beside the input folder (inside it when the input is the working folder)."""
    base = output_base(paths)
    if base == Path.cwd().absolute() or base.parent == base:
        return base / "cleaned"
    return base.parent / "cleaned"


def check_out(paths: list[str | Path], out: Path, option: str = "--out") -> None:
    """Refuse an output folder that is an input folder or holds one.

    An ``--out`` inside an input folder is fine (it is never read); one that
    contains an input would exclude that input from reading, and one that is
    an input would put copies among the originals.
    """
    real_out = Path(os.path.realpath(out))
    for p in paths:
        real = Path(os.path.realpath(p))
        if real == real_out or real_out in real.parents:
            raise WriteError(f"{option} {out} {'is' if real == real_out else 'contains'} the "
                             f"input {p}; choose a folder outside it")


class RealPaths:
    """``os.path.realpath``, each folder resolved once.

    A path's real path is that of its folder joined with its name, resolved
    again only when the name is itself a symbolic link. Resolving every
    folder of every path anew cost about a second for Reuters' 19,779 files.
    A folder asked about many times is listed once for its symbolic links,
    rather than each name being looked up (0.2 s for Reuters' inputs and
    copies, before the first copy could be written).
    Meant for one pass over paths that nothing creates or moves meanwhile.
    """

    #: Names looked up one by one in a folder before it is listed instead.
    LIST_AFTER = 64

    def __init__(self) -> None:
        self._folders: dict[str, list] = {}      # folder -> [real path, asked, links or None]

    def __call__(self, path: str | Path) -> str:
        folder, name = os.path.split(os.fspath(path))
        if name in ("", ".", ".."):
            return os.path.realpath(path)
        return self.entry(folder, name)

    def entry(self, folder: str, name: str) -> str:
        """The real path of ``name`` in ``folder`` (a plain name: not empty,
        ``.`` or ``..``, and without a separator)."""
        known = self._folders.get(folder)
        if known is None:
            known = self._folders[folder] = [os.path.realpath(folder), 0, None]
        real, asked, links = known
        joined = os.path.join(real, name)
        if links is None:
            known[1] = asked + 1
            if asked < self.LIST_AFTER or (links := _symbolic_links(real)) is None:
                return os.path.realpath(joined) if os.path.islink(joined) else joined
            known[2] = links
        return os.path.realpath(joined) if name in links else joined


def _symbolic_links(folder: str) -> frozenset[str] | None:
    """Names of the symbolic links in ``folder`` (none when it does not exist),
    or None when it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            return frozenset(e.name for e in entries if e.is_symlink())
    except FileNotFoundError:
        return frozenset()
    except OSError:
        return None


def _copy_folder(folder: str, out: str, base: str) -> tuple[str, str] | None:
    """For documents named ``folder`` + separator + a plain name: the folder
    their copies go to under ``out`` (as :func:`_relative_name` places them)
    and ``folder`` itself; None for the root, left to the general way."""
    source = os.path.abspath(folder) if folder else os.sep
    if source.endswith(os.sep):
        return None
    source += os.sep
    inside = folder_prefix(base)
    # A path below ``base`` keeps its folders under ``out``; any other
    # document goes to ``out`` itself, by its name.
    return os.path.join(out, source[len(inside):] if source.startswith(inside) else ""), folder


def _relative(doc_path: str, base: Path) -> Path:
    return Path(_relative_name(doc_path, str(base)))


def _relative_name(doc_path: str, base: str) -> str:
    """The document's path below ``base`` (both made absolute by name), else its file name."""
    source = os.path.abspath(doc_path)
    inside = folder_prefix(base)
    return source[len(inside):] if source.startswith(inside) else os.path.basename(source)


def write_cleaned(result: ScanResult, paths: list[str | Path], out: Path,
                  workers: int = 1, summary: WriteSummary | None = None,
                  started: Callable[[], None] | None = None) -> WriteSummary:
    """Write every document, cleaned, under ``out`` at its path relative to the inputs.

    Unchanged documents are written too, so ``out`` is a complete corpus of
    the files that were read (skipped files are not copied). Originals are
    never written: every target is checked before the first file is written,
    and a target that escapes ``out`` (through ``..`` or a symbolic link) or
    resolves to an input file raises :class:`WriteError` with nothing written.
    Each file is written atomically (see :func:`dedup.output.clean.atomic_write`).
    With ``workers`` > 1, that many processes read, clean and write the
    documents (see :func:`_written`). A copy that cannot be written (a full
    disk) raises :class:`WriteError` naming it, once the batches already
    started are done; the copies written are listed in its message's count.
    Before anything, the plan is checked (:func:`dedup.output.plan.check`): a plan
    that would lose a paragraph raises :class:`dedup.output.plan.PlanError`.
    ``summary``, when given, is filled as copies are written (what an
    interrupted run has written); ``started()`` is called once the plan is
    checked, before the first copy is written.
    """
    check_plan(result)
    base = str(output_base(paths))
    out = out.absolute()
    # Paths as strings here: pathlib's parsing cost more than the checks.
    inside = folder_prefix(os.path.realpath(out))
    plan: list[tuple[int, str]] = []
    dropped = result.dropped_articles()
    realpath = RealPaths()
    # Per folder of the documents' paths: the folder its copies go to, and
    # the folder itself, so that each document costs two lookups rather than
    # making its paths absolute and splitting them again (Reuters: 0.10 s).
    folders: dict[str, tuple[str, str] | None] = {}
    for i, doc in enumerate(result.documents):
        if i in dropped:
            continue      # a whole-article repeat of a kept article: left out on purpose
        folder, sep, name = doc.path.rpartition(os.sep)
        known = folders.get(folder, False) if sep else None
        if known is False:
            known = folders[folder] = _copy_folder(folder, str(out), base)
        if known is None or name in ("", ".", "..") or (os.altsep and os.altsep in name):
            target = realpath(os.path.join(out, _relative_name(doc.path, base)))
            original = realpath(doc.path)
        else:
            target, original = realpath.entry(known[0], name), realpath.entry(known[1], name)
        check_target(doc.path, target, inside, out, original)
        plan.append((i, target))
    if summary is None:
        summary = WriteSummary(out)
    summary.out = out
    summary.planned = len(plan)
    if started is not None:
        started()
    tasks = [(result.documents[i], result.removed_in(i), target) for i, target in plan]
    failed = None
    try:
        # Nothing made here forms a cycle; the collector would only walk the
        # scan's objects again and again (see read_corpus).
        with collector_paused(), closing(_written(tasks, workers)) as outcomes:
            for (doc, removed, target), (status, detail) in zip(tasks, outcomes):
                if status == "written":
                    summary.written.append(Path(target))
                    summary.changed += bool(removed)
                elif status == "not written":
                    summary.not_written.append(detail)
                elif status == "failed" and failed is None:
                    failed = doc.path, Path(target), OSError(*detail)
    finally:
        if workers > 1:
            remove_dead_temporaries([target for _, target in plan])
    if failed is not None:
        raise _stopped(*failed, summary, len(plan))
    # A stop asked for (Ctrl-C, SIGTERM) started no further batch; the batches
    # already started were written whole and are counted above.
    check_stop()
    return summary


def _written(tasks: list[tuple[Document, set[int], str]], workers: int = 1):
    """The outcome of writing each document's cleaned copy, in order:
    ``("written", None)``, ``("not written", message)``, ``("failed",
    (errno, reason))`` when the copy could not be written, or ``("not tried",
    None)`` after a failure.

    Each document is read again from its file (checked against the digest
    taken when it was scanned), cleaned and written atomically. With
    ``workers`` > 1 and enough documents, pool processes do that a batch at a
    time, so both cores create files. After a failure (a full disk, say) no
    further batch is started; the batches already started finish, and what
    they wrote is counted. A document that kills any process cleaning it is
    not written (a message says so); other deaths cost a retry (see
    :func:`dedup.pool.ordered_map`).
    """
    # Made on demand: forked pool processes take their batches from ``tasks``
    # themselves, and the documents are not sent to them.
    batches = MadeOnDemand(lambda b: tasks[b * _CLEANED_PER_TASK:(b + 1) * _CLEANED_PER_TASK],
                           -(-len(tasks) // _CLEANED_PER_TASK))
    with closing(ordered_map(_clean_batch, batches, workers, crashed=_not_cleaned,
                             stop=_stop_writing)) as done:
        for batch in done:
            yield from batch


# Documents per batch when pool processes clean and write them.
_CLEANED_PER_TASK = 256


def _has_failed(outcomes: list[tuple[str, object]]) -> bool:
    return any(status == "failed" for status, _ in outcomes)


def _stop_writing(outcomes: list[tuple[str, object]]) -> bool:
    """Start no further batch after a failure or once a stop is asked for."""
    return bool(stop_requested()) or _has_failed(outcomes)


def _not_cleaned(task: list[tuple[Document, set[int], str]]) -> list[tuple[str, str]]:
    (doc, _, _), = task
    return [("not written", f"{doc.path}: the process cleaning it died each time; not written")]


def _clean_batch(tasks: list[tuple[Document, set[int], str]]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for doc, removed, target in tasks:
        if out and out[-1][0] in ("failed", "not tried"):
            out.append(("not tried", None))
            continue
        try:
            # Nothing removed: the file's own bytes, checked, without parsing it again.
            data = doc.encode(cleaned_text(doc, removed)) if removed else doc.stored_bytes()
        except InputError as exc:       # changed or gone since the scan: not guessed at
            out.append(("not written", f"{exc}; not written"))
            continue
        try:
            # Copies, not originals: not forced to disk one by one (a power cut
            # can cost copies, which a second run makes again, never an original).
            atomic_write(target, data, durable=False)
        except OSError as exc:
            out.append(("failed", (exc.errno, exc.strerror or str(exc))))
            continue
        out.append(("written", None))
    return out


def _holds(path: Path, doc: Document) -> bool:
    """Whether ``path`` is a regular file holding exactly the bytes ``doc`` was read from."""
    try:
        return same_bytes(doc, read_regular_file(path))
    except (OSError, InputError):
        return False


def _stopped(name: str, target: Path, exc: OSError, summary: WriteSummary,
             planned: int) -> WriteError:
    return WriteError(f"{name}: cannot write {target}: {exc.strerror or exc}; stopped after "
                      f"{len(summary.written)} of {planned} files (every file holds its old "
                      "content or its new one)")


def resumed_originals(paths: list[str | Path], backup_dir: Path | None,
                      encoding: str | None = None):
    """For :func:`scan`'s ``originals``: the backup ``clean --in-place`` keeps
    of a file, when the file is what a run of it made of that backup (some of
    the backup's paragraphs, in order, none changed: a run that rewrote it
    was interrupted, or ran before); else None. Any other backup is not
    taken for the file's original (:func:`write_in_place` refuses to write
    over it)."""
    def original(display: str) -> Path | None:
        saved = backup_path(display, paths, backup_dir)
        if not saved.is_file() or saved.is_symlink():
            return None
        try:
            now = read_texts(display, display, encoding)[1]
            before = read_texts(saved, display, encoding)[1]
        except InputError:
            return None
        rest = iter(before)
        if len(now) < len(before) and all(any(p == q for q in rest) for p in now):
            return saved
        return None
    return original


def backup_path(doc_path: str, paths: list[str | Path], backup_dir: Path | None) -> Path:
    """Where ``clean --in-place`` keeps the original of a file it rewrites."""
    if backup_dir is None:
        real = Path(os.path.realpath(doc_path))
        return real.with_name(real.name + BACKUP_SUFFIX)
    return backup_dir.absolute() / _relative(doc_path, output_base(paths))


def write_in_place(result: ScanResult, paths: list[str | Path], *, backup: bool = True,
                   backup_dir: Path | None = None) -> WriteSummary:
    """Rewrite every changed document in place, atomically, keeping its permissions.

    With ``backup`` the original bytes are first written (atomically, with the
    same mode) to ``FILE.orig`` beside the file, or under ``backup_dir`` at
    the file's path relative to the inputs; an existing backup is never
    overwritten (:class:`WriteError` is raised before anything is written),
    unless it already holds the file's exact bytes, as a run killed between a
    backup and its rewrite leaves it: the run then simply goes on.
    A symbolic link is not replaced: the file it points to is rewritten. A
    file with several hard links gets a new inode: the other names keep the
    old content.
    Just before a file is replaced, it is read again: a file changed or
    removed since the scan is left alone and named in ``not_written``. A run
    that finishes an interrupted one reads each rewritten file's backup (see
    :func:`scan`'s ``originals``): a file that already holds its cleaned
    text is left as it is, listed in ``done``.
    A run killed at any moment leaves every file with its old content or
    its new one, and a backup of every file that has its new one. No file
    is deleted: an article the result would leave out is written with what
    remains of it, and the plan is checked so (:func:`dedup.output.plan.check`).
    """
    check_plan(result, drops=False)
    summary = WriteSummary(None)
    plan = []
    for i, doc in enumerate(result.documents):
        saved = backup_path(doc.path, paths, backup_dir) if backup else None
        # A document read from its backup (finishing an interrupted run) is
        # always written: the file must end as its cleaned text, whatever
        # the interrupted run had made of it.
        resumed = saved is not None and doc.source is not None and \
            os.path.realpath(doc.source) == os.path.realpath(saved)
        if not result.removed_in(i) and not resumed:
            continue
        have_backup = False
        if saved is not None and (saved.exists() or saved.is_symlink()):
            # A run killed between a backup and its rewrite left this very backup: keep it.
            have_backup = _holds(saved, doc)
            if not have_backup:
                raise WriteError(f"{doc.path}: backup {saved} already exists; remove it, "
                                 "choose another --backup-dir or use --no-backup; "
                                 "nothing written")
        plan.append((i, Path(os.path.realpath(doc.path)), saved, have_backup))
    for i, target, saved, have_backup in plan:
        check_stop()              # between two files: each is old or new, with its backup
        doc = result.documents[i]
        try:
            info = os.stat(target)
            current = read_regular_file(target)
        except FileNotFoundError:
            summary.not_written.append(f"{doc.path}: disappeared since it was read; not rewritten")
            continue
        except OSError as exc:
            summary.not_written.append(f"{doc.path}: cannot read it again "
                                       f"({exc.strerror or exc}); not rewritten")
            continue
        try:
            new = doc.encode(cleaned_text(doc, result.removed_in(i)))
            if not same_bytes(doc, current):
                if current == new and have_backup:
                    # Rewritten already by an interrupted run (the document
                    # was read from its backup): that part of the job is done.
                    summary.done.append(target)
                    continue
                if not (have_backup and doc.source and
                        os.path.realpath(doc.source) == os.path.realpath(saved)):
                    raise InputError(f"{doc.path}: changed since it was read")
        except InputError:
            summary.not_written.append(f"{doc.path}: changed since it was read; not rewritten")
            continue
        mode = info.st_mode & 0o7777
        try:
            if saved is not None:
                if not have_backup:
                    atomic_write(saved, current, mode=mode)
                summary.backups.append(saved)
            # Reports made after this still show the original: from the backup,
            # or held in memory when there is none.
            doc.keep_text(current, str(saved) if saved is not None else None)
            atomic_write(target, new, mode=mode, owner=(info.st_uid, info.st_gid))
        except OSError as exc:
            raise _stopped(doc.path, target, exc, summary, len(plan)) from exc
        summary.written.append(target)
        summary.changed += 1
    return summary
