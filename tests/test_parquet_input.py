"""Parquet input: rows as documents, cleaned copies written back as Parquet.

Every text here is made up (the filler of conftest and a few lines of its own).
"""

from __future__ import annotations

import datetime
import decimal
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup import Config, api, scan_texts
from dedup.cli import app
from dedup.input.documents import skip_reason

from conftest import FILLER, REPO, make_article, python_child  # noqa: E402

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from dedup.engines import parquet_input  # noqa: E402
from dedup.engines.parquet_input import ParquetSpec, scan_parquet, write_parquet  # noqa: E402

STORY = "Markets rose on Monday after the central bank held its main rate at four percent."


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def stories(count: int = 12) -> list[str]:
    """Articles that share filler paragraphs and a story line; every fourth
    repeats the story inside itself, and the sixth repeats the third whole."""
    texts = []
    for i in range(count):
        body = [f"Story number {i} of the day", FILLER[i % len(FILLER)], STORY,
                FILLER[(i + 3) % len(FILLER)]]
        if i % 4 == 0:
            body.append(STORY)
        texts.append(make_article(*body))
    if count > 5:
        texts[5] = texts[2]
    return texts


def news_table(texts: list) -> "pa.Table":
    """The texts beside columns of many kinds, nulls among them, with metadata."""
    n = len(texts)
    table = pa.table({
        "text": pa.array(texts, pa.string()),
        "id": pa.array([1000 + i for i in range(n)], pa.int64()),
        "published": pa.array([datetime.datetime(2024, 3, 1 + i % 28, 6, i % 60) for i in range(n)],
                              pa.timestamp("ns", tz="Europe/London")),
        "tags": pa.array([["wire", f"t{i}"] if i % 3 else None for i in range(n)],
                         pa.list_(pa.string())),
        "source": pa.array([{"name": f"desk {i % 4}", "rank": i} if i % 5 else None
                            for i in range(n)],
                           pa.struct([("name", pa.string()), ("rank", pa.int32())])),
        "price": pa.array([decimal.Decimal(f"{i}.25") if i % 2 else None for i in range(n)],
                          pa.decimal128(9, 2)),
        "section": pa.array([["home", "world", "sport"][i % 3] for i in range(n)]
                            ).dictionary_encode(),
    })
    return table.replace_schema_metadata({"producer": "made-up test feed"})


def write(path: Path, table: "pa.Table", **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **options)
    return path


def expected_copies(names_texts: dict[str, str], **settings) -> dict[str, str]:
    """The cleaned text of every document ``clean`` writes, as the engine
    cleans texts held in memory under the same names."""
    return api.cleaned(scan_texts(names_texts, Config(**settings)))


# -- finding and cleaning ----------------------------------------------------------------

def test_repeats_across_rows_are_cleaned_and_every_other_column_is_kept(in_tmp):
    texts = stories()
    table = news_table(texts)
    write(in_tmp / "d" / "news.parquet", table, row_group_size=5, compression="zstd")
    done = invoke("clean", "d", "--glob", "*.parquet", "--write", "--out", "out")
    assert done.exit_code == 0, done.output
    copy = pq.read_table(in_tmp / "out" / "news.parquet")
    expected = expected_copies({f"d/news.parquet:{i}": t for i, t in enumerate(texts)})
    kept = [i for i in range(len(texts)) if f"d/news.parquet:{i}" in expected]
    assert kept == [0, 1, 2, 3, 4, 6, 7, 8, 9]       # 5, 10 and 11 repeat 2, 0 and 1 whole
    assert copy.column("text").to_pylist() == [expected[f"d/news.parquet:{i}"] for i in kept]
    assert copy.column("text").to_pylist() != [texts[i] for i in kept]
    assert copy.column("text")[0].as_py().count(STORY) == 1
    # Every other column, its type, its nulls and the file's metadata as they were.
    assert copy.schema == table.schema and copy.schema.metadata == table.schema.metadata
    assert copy.drop_columns(["text"]).equals(
        table.drop_columns(["text"]).take(kept).combine_chunks()
        .cast(copy.drop_columns(["text"]).schema))
    source, written = (pq.ParquetFile(in_tmp / p).metadata for p in ("d/news.parquet",
                                                                     "out/news.parquet"))
    assert written.row_group(0).column(0).compression == "ZSTD"
    assert [written.row_group(g).num_rows for g in range(written.num_row_groups)] == [5, 4]
    assert source.num_row_groups == 3
    assert pq.read_table(in_tmp / "d" / "news.parquet").equals(table)   # original untouched


def test_each_column_keeps_its_codec_and_old_style_timestamps_stay_int96(in_tmp):
    codecs = {"text": "zstd", "id": "gzip", "published": "brotli", "tags.list.element": "none",
              "source.name": "lz4", "source.rank": "snappy", "price": "snappy",
              "section": "zstd"}
    write(in_tmp / "a.parquet", news_table(stories()), compression=codecs,
          use_deprecated_int96_timestamps=True)
    done = invoke("clean", "a.parquet", "--write", "--out", "out")
    assert done.exit_code == 0, done.output

    def columns(path):
        f = pq.ParquetFile(path)
        return [(f.schema.column(c).path, f.schema.column(c).physical_type,
                 f.metadata.row_group(0).column(c).compression) for c in range(len(f.schema))]
    assert columns(in_tmp / "out" / "a.parquet") == columns(in_tmp / "a.parquet")
    assert ("published", "INT96", "BROTLI") in columns(in_tmp / "a.parquet")


def test_rows_are_named_file_and_row_from_zero_and_the_diff_shows_them(in_tmp):
    write(in_tmp / "news.parquet", news_table(stories()), row_group_size=4)
    done = invoke("scan", "news.parquet", "--format", "json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    paths = {f["path"] for f in data["files"]}
    assert "news.parquet:0" in paths and all(p.startswith("news.parquet:") for p in paths)
    diff = invoke("clean", "news.parquet")
    assert diff.exit_code == 0 and "--- news.parquet:0\n+++ news.parquet:0\n" in diff.stdout


def test_keep_repeated_articles_keeps_their_rows(in_tmp):
    texts = stories()
    write(in_tmp / "d" / "news.parquet", news_table(texts))
    done = invoke("clean", "d/news.parquet", "--write", "--out", "out",
                  "--keep-repeated-articles")
    assert done.exit_code == 0, done.output
    copy = pq.read_table(in_tmp / "out" / "news.parquet")
    assert copy.column("id").to_pylist() == list(range(1000, 1012))
    expected = expected_copies({f"d/news.parquet:{i}": t for i, t in enumerate(texts)},
                               drop_repeated_articles=False)
    assert copy.column("text").to_pylist() == [expected[f"d/news.parquet:{i}"]
                                               for i in range(12)]


@pytest.mark.parametrize("kind", ["large_string", "dictionary"])
def test_a_text_column_of_another_string_type_keeps_its_type(in_tmp, kind):
    texts = stories()
    column = (pa.array(texts, pa.large_string()) if kind == "large_string"
              else pa.array(texts).dictionary_encode())
    write(in_tmp / "news.parquet", pa.table({"body": column, "n": list(range(12))}))
    done = invoke("clean", "news.parquet", "--parquet-column", "body", "--write", "--out", "out")
    assert done.exit_code == 0, done.output
    copy = pq.read_table(in_tmp / "out" / "news.parquet")
    assert copy.schema.field("body").type == column.type
    expected = expected_copies({f"news.parquet:{i}": t for i, t in enumerate(texts)})
    assert copy.column("body").to_pylist() == [expected[f"news.parquet:{i}"]
                                               for i in copy.column("n").to_pylist()]


def test_rows_named_by_an_id_column_of_strings_or_integers(in_tmp):
    texts = stories()
    table = news_table(texts).append_column("url", pa.array(
        [f"https://news.example/{i}" for i in range(12)]))
    write(in_tmp / "news.parquet", table, row_group_size=5)
    for column, first in (("id", "1000"), ("url", "https://news.example/0")):
        done = invoke("scan", "news.parquet", "--parquet-id", column, "--format", "json")
        assert done.exit_code == 0, done.output
        paths = [f["path"] for f in json.loads(done.stdout)["files"]]
        assert first in paths
    done = invoke("clean", "news.parquet", "--parquet-id", "url", "--write", "--out", "out")
    assert done.exit_code == 0, done.output
    expected = expected_copies({f"https://news.example/{i}": t for i, t in enumerate(texts)})
    copy = pq.read_table(in_tmp / "out" / "news.parquet")
    assert copy.column("text").to_pylist() == [expected[u] for u in
                                               copy.column("url").to_pylist()]


def test_two_rows_with_one_id_stop_the_run(in_tmp):
    write(in_tmp / "a.parquet", pa.table({"text": ["One text.", "Another."], "id": [7, 7]}))
    done = invoke("scan", "a.parquet", "--parquet-id", "id")
    assert done.exit_code == 2
    assert "two records have the id '7'; ids must be unique" in done.stderr


# -- bad input: one line naming the file, and the run goes on ------------------------------

def test_bad_files_and_rows_get_one_line_each_and_the_rest_is_cleaned(in_tmp):
    texts = stories()
    texts[7] = None
    write(in_tmp / "d" / "good.parquet", news_table(texts), row_group_size=5)
    write(in_tmp / "d" / "nocolumn.parquet", pa.table({"body": ["Some words."]}))
    write(in_tmp / "d" / "numbers.parquet", pa.table({"text": [1, 2, 3]}))
    (in_tmp / "d" / "fake.parquet").write_bytes(b"these bytes are not a Parquet file\n")
    (in_tmp / "d" / "empty.parquet").write_bytes(b"")
    (in_tmp / "d" / "notes.txt").write_text("A note.\n")
    done = invoke("clean", "d", "--glob", "*", "--write", "--out", "out")
    assert done.exit_code == 0, done.output
    lines = [line for line in done.stderr.splitlines() if line.startswith("dedup: warning: d/")]
    assert lines == [
        "dedup: warning: d/empty.parquet: not a Parquet file (Parquet file size is 0 bytes)",
        "dedup: warning: d/fake.parquet: not a Parquet file (Parquet magic bytes not found in "
        "footer. Either the file is corrupted or this is not a parquet file.)",
        "dedup: warning: d/nocolumn.parquet: no column 'text' (its columns: body); name the "
        "column with --parquet-column",
        "dedup: warning: d/notes.txt: not a .parquet file; a run that reads Parquet reads no "
        "other files (skipped)",
        "dedup: warning: d/numbers.parquet: column 'text' holds int64, not strings",
        "dedup: warning: d/good.parquet: null 'text' in 1 row (row 7); skipped, kept unchanged "
        "in copies",
    ]
    assert "6 files skipped" in done.stderr
    assert sorted(p.name for p in (in_tmp / "out").glob("*.parquet")) == ["good.parquet"]
    copy = pq.read_table(in_tmp / "out" / "good.parquet")
    at = copy.column("id").to_pylist().index(1007)
    assert copy.column("text")[at].as_py() is None
    assert copy.column("text")[0].as_py().count(STORY) == 1      # the rest is cleaned
    strict = invoke("scan", "d", "--glob", "*", "--strict")
    assert strict.exit_code == 2


def test_a_fifo_is_refused_without_being_opened(in_tmp):
    os.mkfifo(in_tmp / "pipe.parquet")
    done = invoke("scan", "pipe.parquet")
    assert done.exit_code == 0, done.output
    assert "pipe.parquet: not a regular file (a FIFO)" in done.stderr


def test_a_non_string_id_column_and_null_ids(in_tmp):
    write(in_tmp / "a.parquet", pa.table({"text": ["One.", "Two."], "id": [0.5, 1.5]}))
    write(in_tmp / "b.parquet", pa.table({"text": stories(3), "id": ["x", None, "z"]}))
    done = invoke("scan", "a.parquet", "b.parquet", "--parquet-id", "id")
    assert done.exit_code == 0, done.output
    assert "a.parquet: column 'id' holds double, not strings or integers" in done.stderr
    assert "b.parquet: null id 'id' in 1 row (row 1); skipped, kept unchanged in copies" \
        in done.stderr
    assert "2 files, " in done.stdout


def test_a_text_that_is_not_utf8_is_skipped_and_copied_byte_for_byte(in_tmp):
    texts = stories(4)
    raw = [t.encode("utf-8") for t in texts]
    raw[1] = b"Bad \xff byte\n\n" + raw[1]
    offsets = [0]
    for r in raw:
        offsets.append(offsets[-1] + len(r))
    column = pa.Array.from_buffers(pa.string(), len(raw),
                                   [None, pa.array(offsets, pa.int32()).buffers()[1],
                                    pa.py_buffer(b"".join(raw))])
    write(in_tmp / "a.parquet", pa.table({"text": column}))
    done = invoke("clean", "a.parquet", "--write", "--out", "out")
    assert done.exit_code == 0, done.output
    line = [x for x in done.stderr.splitlines() if "not UTF-8" in x]
    assert line == ["dedup: warning: a.parquet: not UTF-8 in 'text' in 1 row (row 1); skipped, "
                    "kept unchanged in copies"]
    assert skip_reason(line[0]) == "encoding"
    copy = pq.read_table(in_tmp / "out" / "a.parquet").column("text").cast(pa.binary())
    assert copy[1].as_py() == raw[1]
    assert copy[0].as_py().count(STORY.encode()) == 1


def test_a_file_changed_after_the_scan_is_not_written(in_tmp):
    write(in_tmp / "d" / "a.parquet", news_table(stories()))
    found = scan_parquet(["d"], Config(glob="*.parquet"), ParquetSpec())
    write(in_tmp / "d" / "a.parquet", news_table(stories()[::-1]))
    summary = write_parquet(found, ["d"], in_tmp / "out")
    assert summary.not_written == ["d/a.parquet: changed since it was read; not written"]
    assert not (in_tmp / "out").exists() or not list((in_tmp / "out").iterdir())


def test_a_plan_that_would_lose_a_paragraph_writes_nothing(in_tmp):
    from dedup.model import Ref
    from dedup.output.plan import PlanError
    write(in_tmp / "d" / "a.parquet", news_table(stories()))
    found = scan_parquet(["d"], Config(glob="*.parquet"), ParquetSpec())
    ref, removal = next(iter(found.result.removals.items()))
    found.result.removals[removal.kept] = removal      # its kept twin removed as well
    with pytest.raises(PlanError):
        write_parquet(found, ["d"], in_tmp / "out")
    assert not (in_tmp / "out").exists()


def test_in_place_and_jsonl_are_refused_with_parquet(in_tmp):
    write(in_tmp / "a.parquet", pa.table({"text": ["One."]}))
    done = invoke("clean", "a.parquet", "--in-place")
    assert done.exit_code == 2 and "--in-place is not available with Parquet" in done.stderr
    done = invoke("scan", "a.parquet", "--jsonl", "text")
    assert done.exit_code == 2 and "--jsonl and Parquet input" in done.stderr


def test_missing_pyarrow_is_a_one_line_error(tmp_path):
    write(tmp_path / "a.parquet", pa.table({"text": ["One."]}))
    code = ("import sys\n"
            "sys.modules['pyarrow'] = None\n"
            "from dedup.cli import main\n"
            "sys.argv = ['dedup', 'scan', 'a.parquet']\n"
            "main()\n")
    out = python_child(code, tmp_path)
    assert out.returncode == 2
    assert "pip install 'news-dedup[parquet]'" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_text_run_does_not_import_pyarrow(tmp_path):
    code = ("import sys\n"
            "from dedup.cli import main\n"
            f"sys.argv = ['dedup', 'scan', {str(REPO / 'samples')!r}, '-q']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('pyarrow' in sys.modules, file=sys.stderr)\n")
    out = python_child(code, tmp_path)
    assert out.stderr.strip().splitlines()[-1] == "False", out.stderr


# -- reading by batches ------------------------------------------------------------------

def test_a_file_is_read_a_batch_at_a_time_and_only_its_text_column(in_tmp, monkeypatch):
    """A file of 48 row groups of about 125 kB of text (6 MB in all, beside
    a column of the same size that the scan never reads) is read in batches
    of about 32 kB: pyarrow never holds more than a few of them."""
    import random
    words = " ".join(FILLER).split()
    pick = random.Random(5)

    def paragraph() -> str:
        return " ".join(pick.choice(words) for _ in range(130))
    texts = [make_article(f"Item {i}", paragraph(), paragraph(), paragraph())
             for i in range(2400)]
    write(in_tmp / "big.parquet", pa.table({"text": texts, "html": texts}),
          row_group_size=50, compression="none")
    monkeypatch.setattr(parquet_input, "BATCH_BYTES", 1 << 15)
    calls, peaks = [], []
    real = pq.ParquetFile.iter_batches

    def counted(self, *args, **kwargs):
        calls.append((kwargs.get("columns"), kwargs.get("batch_size")))
        for batch in real(self, *args, **kwargs):
            peaks.append(pa.total_allocated_bytes())
            yield batch
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", counted)
    found = scan_parquet(["big.parquet"], Config(jobs=1), ParquetSpec())
    assert len(found.result.documents) == 2400
    assert calls and all(columns == ["text"] for columns, _ in calls)
    assert len(peaks) >= 48 * 3 and max(size for _, size in calls) <= 16
    assert max(peaks) < 1 << 20                 # the text alone is 6 MB
    # The copy: every column, a row group at a time, the same row groups.
    calls.clear(), peaks.clear()
    write_parquet(found, ["big.parquet"], in_tmp / "out")
    assert calls and all(columns is None for columns, _ in calls)
    assert pq.ParquetFile(in_tmp / "out" / "big.parquet").metadata.num_row_groups == 48
    assert max(peaks) < 3 << 20                 # a row group of both columns is 0.25 MB


def test_a_row_group_larger_than_the_bound_is_written_a_batch_at_a_time(in_tmp, monkeypatch):
    write(in_tmp / "a.parquet", news_table(stories()))
    monkeypatch.setattr(parquet_input, "WHOLE_ROW_GROUP_BYTES", 0)
    monkeypatch.setattr(parquet_input, "BATCH_BYTES", 1)
    found = scan_parquet(["a.parquet"], Config(), ParquetSpec())
    write_parquet(found, ["a.parquet"], in_tmp / "out")
    copy = pq.ParquetFile(in_tmp / "out" / "a.parquet")
    assert copy.metadata.num_row_groups == 1     # batches of 16 rows at least
    assert copy.read().column("text")[0].as_py().count(STORY) == 1


def test_two_processes_read_as_one(in_tmp, monkeypatch):
    monkeypatch.setattr(parquet_input, "TASK_BYTES", 1)         # a task a row group
    for k in range(3):
        write(in_tmp / "d" / f"{k}.parquet", news_table(stories()[k:]), row_group_size=3)
    one = scan_parquet(["d"], Config(glob="*.parquet", jobs=1), ParquetSpec())
    two = scan_parquet(["d"], Config(glob="*.parquet", jobs=2), ParquetSpec())
    assert one.result.removals == two.result.removals and one.result.removals
    assert [d.path for d in one.result.documents] == [d.path for d in two.result.documents]
    assert one.result.findings == two.result.findings


# -- check and index add -----------------------------------------------------------------

def test_check_and_index_add_read_parquet(in_tmp):
    f = FILLER
    stored = [make_article("Harbour wall to be rebuilt", f[0], f[1]),
              make_article("Ferry timetable extended", f[2], f[3])]
    write(in_tmp / "archive" / "2024.parquet",
          pa.table({"body": stored, "url": ["https://a.example/1", "https://a.example/2"]}))
    done = invoke("index", "add", "archive", "--parquet-column", "body", "--parquet-id", "url")
    assert done.exit_code == 0 and "added 2 files" in done.stdout, done.output
    write(in_tmp / "incoming" / "today.parquet", pa.table({
        "body": [make_article("Repairs paid by levy", f[4], f[0]), None,
                 make_article("Library lends tools", f[5], f[6])],
        "url": ["https://b.example/9", "https://b.example/10", "https://b.example/11"]}))
    done = invoke("check", "incoming", "--parquet-column", "body", "--parquet-id", "url",
                  "--format", "json")
    assert done.exit_code == 1, done.output
    data = json.loads(done.stdout)
    assert {x["path"] for x in data["findings"]} == {"https://b.example/9"}
    assert data["findings"][0]["repeats"]["path"] == "https://a.example/1"
    assert data["skipped"] == ["incoming/today.parquet: null 'body' in 1 row (row 1); skipped, "
                               "kept unchanged in copies"]
    # Named FILE:ROW without --parquet-id, the file as the index names it.
    done = invoke("check", "incoming/today.parquet", "--parquet-column", "body", "--format",
                  "json")
    assert {x["path"] for x in json.loads(done.stdout)["findings"]} == {
        "incoming/today.parquet:0"}


# -- the Dask engine ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    pytest.importorskip("distributed")
    from dedup.engines import engine_dask
    with engine_dask.connect(workers=2) as client:
        yield client


@pytest.mark.parametrize("id_column", [None, "id"])
def test_the_dask_engine_reads_and_writes_parquet_as_the_local_engine(client, tmp_path,
                                                                      monkeypatch, id_column):
    from dedup.engines import engine_dask
    from test_dask import assert_same, tree
    monkeypatch.setattr(parquet_input, "TASK_BYTES", 1)      # a chunk a row group
    folder = tmp_path / "in"
    texts = stories()
    texts[9] = None
    write(folder / "a.parquet", news_table(texts), row_group_size=4)
    write(folder / "b.parquet", news_table(stories()[3:]), row_group_size=5)
    (folder / "c.parquet").write_bytes(b"not Parquet")
    cfg = Config(glob="*.parquet")
    spec = ParquetSpec("text", id_column)
    if id_column:
        write(folder / "b.parquet", news_table(stories()[3:]).set_column(
            1, "id", pa.array(range(2000, 2009), pa.int64())), row_group_size=5)
    local = scan_parquet([folder], cfg, spec)
    run = engine_dask.scan(client, [folder], cfg, parquet=spec)
    assert len(run.chunks) == 3 + 2               # a.parquet's and b.parquet's row groups
    assert_same(local.result, run.result)
    assert local.result.removals and len(local.result.skipped) == 2
    write_parquet(local, [folder], tmp_path / "local")
    summary = engine_dask.write_cleaned(client, run, tmp_path / "dask")
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    assert sorted(p.name for p in summary.written) == ["a.parquet", "b.parquet"]
    assert summary.changed == 2
