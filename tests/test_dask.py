"""The Dask engine makes the local engine's decisions, reports and cleaned files.

One local cluster (two worker processes) serves the whole module. Real
corpora are read in place and written to a temporary folder; the tests that
need them skip when they are absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from dedup import Config, api
from dedup.engines.jsonl import JsonlError, JsonlSpec, scan_jsonl, write_jsonl
from dedup.report import render

from conftest import FILLER, REPO, SAMPLES, make_article, python_child  # noqa: E402

distributed = pytest.importorskip("distributed")
pytest.importorskip("fsspec")

from dedup.engines import engine_dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with engine_dask.connect(workers=2) as client:
        yield client


def _html(result) -> str:
    # The run statistics (timings, engine) are the only part allowed to differ.
    return re.sub(r"<h3>Run statistics</h3><table.*?</table>", "", render(result, "html"),
                  flags=re.S)


def assert_same(local, dask) -> None:
    assert dask.removals == local.removals
    assert dask.findings == local.findings
    assert dask.boilerplate == local.boilerplate
    assert dask.articles == local.articles
    assert dask.skipped == local.skipped
    assert [d.path for d in dask.documents] == [d.path for d in local.documents]
    for fmt in ("json", "text", "markdown"):
        assert render(dask, fmt) == render(local, fmt), fmt
    assert _html(dask) == _html(local)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_local_engine_imports_no_dask():
    code = ("import sys, dedup, dedup.cli\n"
            "from dedup import api\n"
            f"api.scan([{str(SAMPLES)!r}])\n"
            "bad = [m for m in ('dask', 'distributed', 'fsspec') if m in sys.modules]\n"
            "print(','.join(bad))\n")
    out = python_child(code, REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_missing_dask_is_a_one_line_error(tmp_path):
    code = ("import sys\n"
            "sys.modules['distributed'] = None\n"
            "from dedup.cli import main\n"
            f"sys.argv = ['dedup', 'scan', {str(SAMPLES)!r}, '--engine', 'dask']\n"
            "main()\n")
    out = python_child(code, tmp_path)
    assert out.returncode == 2
    assert "pip install 'news-dedup[dask]'" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def _both(client, paths, cfg, tmp_path, files_per_chunk=None, chunks_per_group=None):
    local = api.scan(paths, cfg)
    run = engine_dask.scan(client, paths, cfg, files_per_chunk=files_per_chunk,
                           chunks_per_group=chunks_per_group)
    assert_same(local, run.result)
    # Every document of local paths can be read again by the client: cleaned
    # text and diffs of the whole corpus, with no text brought from the cluster.
    assert run.gathered["documents_fetched"] == 0
    assert run.gathered["documents_unloaded"] == len(local.documents)
    assert not any(d.loaded for d in run.result.documents)
    assert api.cleaned(run.result) == api.cleaned(local)
    assert api.diff(run.result) == api.diff(local)
    api.write_cleaned(local, paths, tmp_path / "local")
    summary = engine_dask.write_cleaned(client, run, tmp_path / "dask")
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    return local, run, summary


def test_samples(client, tmp_path):
    local, run, summary = _both(client, [SAMPLES], Config(), tmp_path, files_per_chunk=2)
    assert local.removals
    assert len(summary.written) == len(local.documents)
    assert summary.changed == len({r.doc for r in local.removals})


@pytest.fixture(scope="module")
def real_corpus(tmp_path_factory):
    from bench import corpora
    reuters, bbc, spam = corpora.reuters(1500), corpora.bbc(500), corpora.spamassassin(500)
    if reuters is None or bbc is None or spam is None:
        pytest.skip("the corpora in ../shared/corpora are absent")
    return corpora.materialise(reuters + bbc + spam, tmp_path_factory.mktemp("corpus"))


def test_a_copy_led_out_of_out_by_a_link_is_refused_before_writing(client, tmp_path):
    """The Dask writer checks every target on the client, as the local one
    does (dedup.output.clean.check_target), before any worker writes."""
    from typer.testing import CliRunner

    from dedup.cli import app
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text(make_article(FILLER[0], FILLER[0]))
    (tmp_path / "in" / "sub" / "b.txt").write_text(make_article(FILLER[1], FILLER[2]))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sub").symlink_to(tmp_path / "elsewhere")
    refused = CliRunner().invoke(app, [
        "clean", str(tmp_path / "in"), "--write", "--out", str(tmp_path / "out"), "--engine",
        "dask", "--scheduler", client.scheduler.address, "--report-dir", str(tmp_path / "r")])
    assert refused.exit_code == 2
    assert "sub/b.txt: output path" in refused.output and "escapes" in refused.output
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["sub"]


def test_real_articles(client, real_corpus, tmp_path):
    local, run, _ = _both(client, [real_corpus], Config(), tmp_path)
    assert run.result.stats["candidates"] == local.stats["candidates"]
    assert run.result.stats["verified"] == local.stats["verified"]
    assert local.stats["verified"] > 100 and len(run.chunks) > 2


def test_real_articles_chunks_in_groups(client, real_corpus, tmp_path):
    # 25 chunks verified in groups of three (the last group of one): the
    # shuffles run between 9 groups, and the decisions are the same.
    local, run, _ = _both(client, [real_corpus], Config(), tmp_path, files_per_chunk=100,
                          chunks_per_group=3)
    assert len(run.chunks) == 25 and run.result.stats["shuffle_groups"] == 9
    assert run.result.stats["candidates"] == local.stats["candidates"]
    assert local.stats["verified"] > 100


def test_group_size():
    assert engine_dask.group_size(8, 2) == 1
    assert engine_dask.group_size(211, 2) == engine_dask.MAX_CHUNKS_PER_GROUP
    assert engine_dask.group_size(20, 2) == 2


def test_real_articles_other_settings(client, real_corpus, tmp_path):
    cfg = Config(keep="longest", drop_repeated_articles=True, boilerplate="keep-first")
    local, _, _ = _both(client, [real_corpus / "reuters"], cfg, tmp_path, files_per_chunk=100)
    assert local.dropped_articles()


def _jsonl_corpus(folder: Path) -> Path:
    folder.mkdir()
    story = "Markets rose on Monday after the central bank held its main rate at four percent."
    records = []
    for i in range(12):
        body = [FILLER[i % len(FILLER)], story, FILLER[(i + 3) % len(FILLER)]]
        if i % 4 == 0:
            body.append(story)                      # a repeat inside the record
        records.append({"id": f"r{i:02d}", "text": "\n\n".join(body), "source": "wire"})
    with open(folder / "a.jsonl", "w", encoding="utf-8") as f:
        for r in records[:7]:
            f.write(json.dumps(r) + "\n")
        f.write("\n{not json}\n")
    with open(folder / "b.jsonl", "w", encoding="utf-8") as f:
        for r in records[7:]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return folder


@pytest.mark.parametrize("id_field", [None, "id"])
def test_jsonl(client, tmp_path, id_field):
    folder = _jsonl_corpus(tmp_path / "in")
    cfg = Config(glob="*.jsonl")
    spec = JsonlSpec("text", id_field)
    local = scan_jsonl([folder], cfg, spec)
    run = engine_dask.scan(client, [folder], cfg, jsonl=spec)
    assert_same(local.result, run.result)
    assert local.result.removals and local.result.skipped
    names = [d.path for d in local.result.documents]
    assert names[0] == ("r00" if id_field else f"{local.files[0][1]}:1")
    write_jsonl(local, [folder], tmp_path / "local")
    engine_dask.write_cleaned(client, run, tmp_path / "dask")
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    lines = (tmp_path / "local" / "a.jsonl").read_text("utf-8").splitlines()
    assert lines[-1] == "{not json}"               # lines that are not records stay
    first = json.loads(lines[0])
    assert first["source"] == "wire" and first["text"].count("central bank") == 1


def test_jsonl_duplicate_ids(client, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"id": 1, "t": "x"}\n{"id": 1, "t": "y"}\n', "utf-8")
    with pytest.raises(JsonlError):
        scan_jsonl([folder], Config(glob="*.jsonl"), JsonlSpec("t", "id"))
    with pytest.raises(JsonlError):
        engine_dask.scan(client, [folder], Config(glob="*.jsonl"), jsonl=JsonlSpec("t", "id"))


def test_file_url(client, tmp_path):
    local = api.scan([SAMPLES], Config())
    url = SAMPLES.as_uri()
    run = engine_dask.scan(client, [url], Config(), files_per_chunk=2)
    assert run.result.removals == local.removals
    assert run.result.findings == local.findings
    assert [d.path for d in run.result.documents] == [
        f"{url}/{Path(d.path).name}" for d in local.documents]
    # file:// URLs are on the client's disk too: read again there, not fetched.
    assert run.gathered["documents_fetched"] == 0
    assert list(api.cleaned(run.result).values()) == list(api.cleaned(local).values())
    api.write_cleaned(local, [SAMPLES], tmp_path / "local")
    summary = engine_dask.write_cleaned(client, run, (tmp_path / "dask").as_uri())
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")
    assert summary.changed == len({r.doc for r in local.removals})
    assert not list((tmp_path / "dask").rglob("*.dedup-tmp"))


def test_memory_url(tmp_path):
    # The memory filesystem lives in one process: an in-process cluster sees it.
    import fsspec
    fs = fsspec.filesystem("memory")
    for path in sorted(SAMPLES.glob("*.txt")):
        fs.pipe_file(f"/dedup-test/in/{path.name}", path.read_bytes())
    try:
        local = api.scan([SAMPLES], Config())
        with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                                dashboard_address=":0") as client:
            run = engine_dask.scan(client, ["memory://dedup-test/in"], Config())
            assert run.result.removals == local.removals
            # Not readable as a local file: the documents with findings are fetched.
            assert 0 < run.gathered["documents_fetched"] < len(local.documents)
            changed = {i for i in range(len(local.documents)) if local.removed_in(i)}
            assert [run.result.documents[i].lines for i in sorted(changed)] == [
                local.documents[i].lines for i in sorted(changed)]
            engine_dask.write_cleaned(client, run, "memory://dedup-test/out")
        api.write_cleaned(local, [SAMPLES], tmp_path / "local")
        for name, data in tree(tmp_path / "local").items():
            assert fs.cat_file(f"/dedup-test/out/{name}") == data
    finally:
        fs.rm("/dedup-test", recursive=True)


def test_cli_with_scheduler(client, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dedup.cli import app
    address = client.scheduler.address
    runner = CliRunner()
    monkeypatch.chdir(REPO)
    local = runner.invoke(app, ["scan", "samples", "--format", "json"])
    dask = runner.invoke(app, ["scan", "samples", "--format", "json", "--engine", "dask",
                               "--scheduler", address])
    assert dask.exit_code == 0, dask.output
    assert dask.stdout == local.stdout
    out = runner.invoke(app, ["clean", "samples", "--write", "--engine", "dask", "--scheduler",
                              address, "--out", str(tmp_path / "out"), "--report-dir",
                              str(tmp_path / "reports"), "-q"])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "reports" / "report.json").read_text("utf-8") == local.stdout
    refused = runner.invoke(app, ["clean", "samples", "--in-place", "--engine", "dask",
                                  "--scheduler", address])
    assert refused.exit_code == 2 and "--in-place" in refused.output


def test_worker_keeps_packed_texts_dask_can_measure(real_corpus):
    # What a worker keeps between stages is a task result whose size Dask
    # knows, so it is spilled to disk past the worker's memory target.
    from dask.sizeof import sizeof
    cfg = Config()
    bands, rows = engine_dask.lsh_params(cfg.lsh_threshold, cfg.num_perm)
    items, _ = engine_dask.list_inputs([real_corpus / "reuters"], cfg.glob)
    [chunk] = engine_dask.chunks_of(items[:200], 1, None, files_per_chunk=200)
    summary, store = engine_dask.stage_read(chunk, cfg, None, bands, rows)
    texts = len(store.texts.blob) + len(store.norms.blob)
    assert len(store.signed) > 500 and texts > 100_000
    assert texts + store.keys.nbytes <= sizeof(store) < 1.1 * (texts + store.keys.nbytes) + 10**5
    assert sizeof(summary) >= summary.facts.nbytes()
    flat = [p.text for d in engine_dask.read_chunk(chunk, None)[0] for p in d.paragraphs]
    assert [store.texts[k] for k in (0, len(store.signed) - 1)] == [
        flat[int(store.signed[0])], flat[int(store.signed[-1])]]


def test_memory_limit(tmp_path):
    assert engine_dask.worker_memory(2, "1GiB") == 1 << 30
    assert engine_dask.worker_memory(2) <= engine_dask.DEFAULT_WORKER_MEMORY
    with pytest.raises(ValueError):
        engine_dask.worker_memory(2, "lots")


def test_stages_leave_no_cached_facts_behind(real_corpus, monkeypatch):
    # A worker runs stage after stage; what one verified must not stay in the
    # verification caches for the rest of the run, also when a stage fails.
    from dedup.verification import verify
    cfg = Config()
    bands, rows = engine_dask.lsh_params(cfg.lsh_threshold, cfg.num_perm)
    items, _ = engine_dask.list_inputs([real_corpus / "reuters"], cfg.glob)
    [chunk] = engine_dask.chunks_of(items[:50], 1, None, files_per_chunk=50)
    summary, store = engine_dask.stage_read(chunk, cfg, None, bands, rows)
    reps = engine_dask.Reps(np.arange(len(store.signed)), store.norms, store.texts)
    # Neighbours, and two paragraphs against themselves (sure to get a verdict);
    # one pair twice, as when two bands bring it.
    pairs = np.array([[0, 0], [1, 1]] + [[k, k + 1] for k in range(len(store.signed) - 1)]
                     + [[2, 3]], dtype=np.int64)
    owner = np.zeros(len(store.signed), dtype=np.int32)
    owner[len(owner) // 2:] = 1
    counts, *pieces = engine_dask.stage_first(owner, 2, pairs)
    # Without duplicates, in order, split by the group of the second paragraph.
    assert counts.tolist() == [len(p) for p in pieces] and sum(counts) == len(pairs) - 1
    assert np.concatenate(pieces).tolist() == sorted(
        map(list, {tuple(p) for p in pairs.tolist()}), key=lambda p: (owner[p[1]], p))
    assert all((owner[p[:, 1]] == c).all() for c, p in enumerate(pieces))
    pairs = np.concatenate(pieces)
    verify.names(store.texts[0])
    assert verify.words(store.norms[0]) and verify.words.cache_info().currsize > 0
    judged, verdicts = engine_dask.stage_judge(reps, reps, cfg, pairs)
    assert verify.words.cache_info().currsize == 0
    assert verify.names.cache_info().currsize == 0
    # The verdicts are those of the stage's own checks, caches or not.
    expected = engine_dask.judge_pairs(store.norms.take(pairs[:, 0]).strings(),
                                       store.norms.take(pairs[:, 1]).strings(),
                                       lambda k: store.texts[int(pairs[k, 0])],
                                       lambda k: store.texts[int(pairs[k, 1])], cfg)
    assert judged.tolist() == [pairs[k].tolist() for k, _ in expected]
    assert verdicts == [v for _, v in expected] and len(verdicts) >= 2
    verify.words("filled again")

    def broken(*args, **kwargs):
        raise RuntimeError("verification failed")
    monkeypatch.setattr(engine_dask, "judge_pairs", broken)
    with pytest.raises(RuntimeError):
        engine_dask.stage_judge(reps, reps, cfg, pairs)
    assert verify.words.cache_info().currsize == 0


def test_results_taken_as_done(client):
    # In order of the futures, whatever order they finish in; a cancelled
    # task (as when the cluster loses it) is an error, never a result.
    import time
    from concurrent.futures import CancelledError
    futures = [client.submit(time.sleep, 0.5, pure=False), client.submit(int, "7")]
    assert engine_dask.take_as_done(futures) == [None, 7]
    assert futures == [None, None]
    slow = client.submit(time.sleep, 30, pure=False)
    quick = client.submit(int, "8")
    client.cancel([slow])
    with pytest.raises(CancelledError):
        engine_dask.take_as_done([quick, slow])


def test_lost_worker_is_recovered(real_corpus):
    # Every worker killed while pairs are being joined (SIGKILL, as the nanny
    # or the kernel kills one) is restarted; the cluster makes again all it
    # held (nothing the scan needs may exist only as scattered data), and the
    # scan ends with the local engine's decisions.
    import os
    import signal
    import threading
    import time

    def stages(dask_scheduler):
        return {ts.prefix.name for ts in dask_scheduler.tasks.values()}

    killed = []

    def kill_once(client, done):
        while not done.is_set() and not killed:
            if "stage_first" in client.run_on_scheduler(stages):
                for worker, pid in client.run(os.getpid).items():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(worker)
            time.sleep(0.02)

    cfg = Config()
    with engine_dask.connect(workers=2) as own:
        done = threading.Event()
        watcher = threading.Thread(target=kill_once, args=(own, done), daemon=True)
        watcher.start()
        try:
            run = engine_dask.scan(own, [real_corpus], cfg, files_per_chunk=100)
        finally:
            done.set()
            watcher.join()
    assert len(killed) == 2
    local = api.scan([real_corpus], cfg)
    assert run.result.removals == local.removals and local.removals
    assert run.result.findings == local.findings
