"""The package keeps its layers: every module imports only what lies below it
([tool.importlinter] in pyproject.toml). A lower module that reaches up (the
reading code into the writing code, a decision rule into the module that runs
it) makes a cycle that this catches before it grows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def _lint(root: Path) -> subprocess.CompletedProcess:
    beside = Path(sys.executable).parent / "lint-imports"
    lint = str(beside) if beside.exists() else shutil.which("lint-imports")
    return subprocess.run([lint, str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)})


def test_every_module_imports_only_what_lies_below_it():
    out = _lint(REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "4 kept, 0 broken" in out.stdout


def test_a_module_reaching_up_breaks_the_layers(tmp_path):
    shutil.copytree(REPO / "dedup", tmp_path / "dedup",
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    with open(tmp_path / "dedup" / "text" / "normalize.py", "a", encoding="utf-8") as f:
        f.write("\n\ndef _reaching_up():\n    from ..decisions.detect import decide\n"
                "    return decide\n")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert "dedup.text.normalize -> dedup.decisions.detect" in out.stdout
