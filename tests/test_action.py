"""The CI integrations as a user gets them: the composite GitHub Action
(``action.yml``) and the pre-commit hooks (``.pre-commit-hooks.yaml`` and the
``repo: local`` example of docs/ci.md), run here the way GitHub's runner and
pre-commit run them, on a folder holding an index and some made-up articles.

For the action that means: every ``run`` step is written to a script and run
with ``bash --noprofile --norc -eo pipefail`` (the runner's command for
``shell: bash``) in the workspace folder, with the step's ``env`` mapping
evaluated (``${{ inputs.X }}``, ``${{ github.action_path }}``,
``${{ steps.ID.outputs.NAME }}``) and ``GITHUB_OUTPUT`` set to a fresh file.
``uses`` steps (actions/setup-python) are left to the runner: the test's own
Python stands in for them. The install step runs too, but a stub ``python``
first on PATH records the pip command instead of reaching the package index.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="pip install pyyaml (in the test extra)")

import dedup

from test_check import COPIED, archive_and_new, invoke
from test_index import write_files

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DIST = "news-dedup"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
STEP_OUTPUT = re.compile(r"steps\.([\w-]+)\.outputs\.([\w-]+)")
ANNOTATION = re.compile(r"^::(error|warning|notice) file=([^,]+),")


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# -- a local runner for the composite action -------------------------------------

@dataclass
class StepRun:
    name: str
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> int:
        """The exit code of the last step run (the runner stops at a failing one)."""
        return self.steps[-1].code

    @property
    def check(self) -> StepRun:
        return next(s for s in self.steps if s.name == "dedup check")

    def annotations(self) -> list[tuple[str, str]]:
        """``(level, file)`` of every workflow annotation the check printed."""
        return [m.groups() for line in self.check.stdout.splitlines()
                if (m := ANNOTATION.match(line))]


def read_outputs(path: Path) -> dict[str, str]:
    """``GITHUB_OUTPUT`` as the runner reads it (one ``name=value`` a line)."""
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line)


def evaluate(text: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    """Replace the ``${{ ... }}`` expressions the action uses, as the runner would."""
    def value(match: re.Match) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        if expr == "github.action_path":
            return str(REPO)
        if m := STEP_OUTPUT.fullmatch(expr):
            return steps.get(m.group(1), {}).get(m.group(2), "")
        raise AssertionError(f"the local runner does not know ${{{{ {expr} }}}}")
    return EXPRESSION.sub(value, text)


def run_action(work: Path, runner: Path, **given: str) -> ActionRun:
    """Run action.yml's ``run`` steps in ``work`` with the inputs ``given``
    (underscores for dashes), the others at their defaults."""
    spec = load_yaml(REPO / "action.yml")
    inputs = {name: str(i.get("default", "")) for name, i in spec["inputs"].items()}
    inputs.update({name.replace("_", "-"): value for name, value in given.items()})
    missing = [n for n, i in spec["inputs"].items() if i.get("required") and n not in
               {k.replace("_", "-") for k in given}]
    assert not missing, f"required inputs not given: {missing}"
    steps: dict[str, dict[str, str]] = {}
    result = ActionRun()
    for n, step in enumerate(spec["runs"]["steps"]):
        if "uses" in step:
            continue
        assert step["shell"] == "bash", step
        # Inputs reach a script only through its env mapping, never pasted into it.
        assert "${{" not in step["run"], step["name"]
        script = runner / f"step{n}.sh"
        script.write_text(step["run"], encoding="utf-8")
        output = runner / f"output{n}"
        output.touch()
        env = {**os.environ,
               **{k: evaluate(str(v), inputs, steps) for k, v in step.get("env", {}).items()},
               "GITHUB_OUTPUT": str(output),
               "PATH": os.pathsep.join([str(runner / "bin"), str(VENV_BIN), os.environ["PATH"]])}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=work, env=env, capture_output=True, text=True, timeout=300)
        outputs = read_outputs(output)
        if "id" in step:
            steps[step["id"]] = outputs
        result.steps.append(StepRun(step["name"], proc.returncode, proc.stdout, proc.stderr,
                                    outputs))
        if proc.returncode != 0:
            break
    result.outputs = {name: evaluate(o["value"], inputs, steps)
                      for name, o in spec.get("outputs", {}).items()}
    return result


@pytest.fixture
def runner(tmp_path) -> Path:
    """The runner's own folder: step scripts, output files, and bin/ with a stub
    ``python`` (and ``python3``) that logs its arguments to pip.log."""
    folder = tmp_path / "runner"
    (folder / "bin").mkdir(parents=True)
    for name in ("python", "python3"):
        stub = folder / "bin" / name
        stub.write_text(f'#!/bin/sh\necho "$*" >> {shlex.quote(str(folder / "pip.log"))}\n')
        stub.chmod(0o755)
    return folder


@pytest.fixture
def work(tmp_path, monkeypatch, h) -> Path:
    """The workspace: test_check's archive and new articles, archive/ indexed
    in .dedup/index.db (the action's default)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    write_files(folder, archive_and_new(h))
    res = invoke("index", "add", "archive", "--index", ".dedup/index.db")
    assert res.exit_code == 0, res.output
    return folder


def index_files(work: Path, index: str = ".dedup/index.db") -> int:
    proc = subprocess.run([str(VENV_BIN / "dedup"), "index", "stats", "--index", index,
                           "-f", "json"], cwd=work, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)["files"]


# -- the action ------------------------------------------------------------------

def test_a_repeat_fails_with_annotations(work, runner):
    run = run_action(work, runner, paths="new/copy.txt\nnew/clean.txt")
    assert run.code == 1, run.check
    assert run.check.outputs == {"exit-code": "1"}
    assert run.outputs == {"exit-code": "1"}
    # What fails the check is annotated at error level.
    assert run.annotations() and {f for _, f in run.annotations()} == {"new/copy.txt"}
    assert {level for level, _ in run.annotations()} == {"error"}
    assert "FAIL: 2 repeated paragraphs in 1 of 2 files" in run.check.stdout + run.check.stderr


def test_clean_articles_pass(work, runner):
    run = run_action(work, runner, paths="new/clean.txt")
    assert run.code == 0, run.check
    assert run.check.outputs == {"exit-code": "0"} == run.outputs
    assert run.annotations() == []


def test_no_paths_is_nothing_to_check(work, runner):
    for paths in ("", "  \n \t\n"):
        run = run_action(work, runner, paths=paths)
        assert run.code == 0, run.check
        assert run.outputs == {"exit-code": "0"}
        assert "no new articles to check" in run.check.stdout


def test_add_grows_the_index_only_when_the_check_passes(work, runner):
    before = index_files(work)
    run = run_action(work, runner, paths="new/copy.txt", add="true")
    assert run.code == 1 and index_files(work) == before
    run = run_action(work, runner, paths="new/clean.txt", add="true")
    assert run.code == 0 and index_files(work) == before + 1
    run = run_action(work, runner, paths="new/clean.txt", add="false")
    assert run.code == 0 and index_files(work) == before + 1


def test_folders_odd_names_and_a_missing_path(work, runner, h):
    write_files(work, {"-lead.txt": h.article("Harbour Strike Ends", COPIED)})
    run = run_action(work, runner, paths="-lead.txt")           # a path, not an option
    assert run.code == 1 and run.outputs == {"exit-code": "1"}
    assert {f for _, f in run.annotations()} == {"-lead.txt"}
    run = run_action(work, runner, paths="new")                  # a folder: every *.txt
    assert run.code == 1
    run = run_action(work, runner, paths="nowhere.txt")
    assert run.code == 2 and run.outputs == {"exit-code": "2"}


def test_output_file_format_and_args(work, runner):
    run = run_action(work, runner, paths="new/copy.txt", format="sarif", output="dedup.sarif",
                     args="--threshold 92  --jobs 1")
    assert run.code == 1 and run.outputs == {"exit-code": "1"}
    sarif = json.loads((work / "dedup.sarif").read_text())
    assert sarif["runs"][0]["results"]
    run = run_action(work, runner, paths="new/copy.txt", args="--threshold 250")
    assert run.code == 2                                         # the args reached dedup


def test_baseline_accepts_known_repeats(work, runner):
    res = invoke("check", "new/copy.txt", "--write-baseline", ".dedup/baseline.json")
    assert res.exit_code == 0, res.output
    run = run_action(work, runner, paths="new/copy.txt", baseline=".dedup/baseline.json")
    assert run.code == 0 and run.outputs == {"exit-code": "0"}
    assert {level for level, _ in run.annotations()} <= {"notice"}


def test_install_step_installs_the_pinned_release(work, runner):
    default = load_yaml(REPO / "action.yml")["inputs"]["package"]["default"]
    # A new release must move the pin with it.
    assert default == f"{DIST}=={dedup.__version__}" == f"{DIST}=={importlib.metadata.version(DIST)}"
    run = run_action(work, runner, paths="new/clean.txt")
    assert run.steps[0].name == "Install dedup" and run.steps[0].code == 0
    assert (runner / "pip.log").read_text().split() == ["-m", "pip", "install", "--quiet",
                                                        default]
    run_action(work, runner, paths="new/clean.txt", package=str(REPO))
    assert (runner / "pip.log").read_text().splitlines()[-1].split()[-1] == str(REPO)


def test_empty_package_installs_nothing(work, runner):
    run = run_action(work, runner, paths="new/clean.txt", package="")
    assert run.code == 0
    assert not (runner / "pip.log").exists()
    assert str(VENV_BIN / "dedup") in run.steps[0].stdout


# -- pre-commit ------------------------------------------------------------------

def docs_precommit_config() -> dict:
    """The ``.pre-commit-config.yaml`` block of docs/ci.md's pre-commit section."""
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    section = text.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    config = [b for b in blocks if ".pre-commit-config.yaml" in b]
    assert len(config) == 1, "docs/ci.md: one .pre-commit-config.yaml block under ## pre-commit"
    return yaml.safe_load(config[0])


def run_hook(hook: dict, args: list[str], work: Path) -> subprocess.CompletedProcess:
    """What pre-commit runs: the entry, the args, then the staged files its
    ``files`` pattern selects (paths relative to the repository root)."""
    staged = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    files = [p for p in staged if re.search(hook.get("files", ""), p)
             and not re.search(hook.get("exclude", "^$"), p)]
    command = shlex.split(hook["entry"]) + args + files
    env = {**os.environ, "PATH": os.pathsep.join([str(VENV_BIN), os.environ["PATH"]])}
    return subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def staged(tmp_path, h) -> Path:
    """A repository with an index of archive/ and two staged articles, clean."""
    folder = tmp_path / "repo"
    f = h.filler
    write_files(folder, {"archive/quake.txt": h.article("Quake Toll Rises", COPIED, f[0])})
    subprocess.run([str(VENV_BIN / "dedup"), "index", "add", "archive", "--index",
                    ".dedup/index.db"], cwd=folder, check=True, capture_output=True)
    shutil.rmtree(folder / "archive")
    write_files(folder, {"articles/a.txt": h.article("Library Lends Tools", f[5], f[6]),
                         "articles/b.txt": h.article("Bridge Repairs Planned", f[7]),
                         "articles/notes.md": f"{f[8]}\n\n{f[8]}\n"})
    return folder


def check_hook(hook: dict, args: list[str], folder: Path, h) -> None:
    res = run_hook(hook, args, folder)
    assert res.returncode == 0, res.stdout + res.stderr              # notes.md is not read
    write_files(folder, {"articles/c.txt": h.article("Survivors Found", h.filler[4], COPIED)})
    res = run_hook(hook, args, folder)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "articles/c.txt" in res.stdout


def test_hosted_hook_definition(staged, h):
    hooks = load_yaml(REPO / ".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= hook.keys(), hook
        re.compile(hook.get("files", ""))
    hook = next(hk for hk in hooks if hk["id"] == "dedup-check")
    assert hook["language"] == "python" and hook.get("require_serial") is True
    check_hook(hook, ["--index", ".dedup/index.db"], staged, h)


def test_docs_local_hook_runs_as_written(staged, h):
    config = docs_precommit_config()
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (hook,) = repo["hooks"]
    assert hook["language"] == "python" and hook.get("require_serial") is True
    assert hook["additional_dependencies"] == [f"{DIST}=={dedup.__version__}"]
    check_hook(hook, [str(a) for a in hook.get("args", [])], staged, h)


# -- no placeholders, no old name ------------------------------------------------

def test_no_placeholder_or_old_distribution_name_in_the_repository():
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                             check=True).stdout.decode().split("\0")
    # Spelled in pieces so that this file does not match itself.
    placeholder = "OWNER" + "/"
    old_name = re.compile(r"pip install ['\"]?" + "dedup" + r"(?![\w-])")
    bad = []
    for name in filter(None, tracked):
        path = REPO / name
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        if placeholder in text or old_name.search(text):
            bad.append(name)
    assert bad == []
