"""Settings: validation, configuration files and their precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup import Config, ConfigError, load_config
from dedup.config import find_config_file, load_file_settings


def test_defaults_match_the_documented_decision_rules():
    cfg = Config()
    assert cfg.near_threshold == 90.0
    assert cfg.keep == "first" and cfg.keep_priority == ()
    assert cfg.boilerplate == "remove"
    assert cfg.boilerplate_min_files == 5 and cfg.boilerplate_max_words == 15
    assert cfg.glob == "*.txt"


@pytest.mark.parametrize("bad", [
    {"near_threshold": 0}, {"near_threshold": 100.5}, {"near_threshold": -1},
    {"truncated_min_share": 0}, {"truncated_min_share": 1.5},
    {"lsh_threshold": 0}, {"lsh_threshold": 1},
    {"shingle_size": 0}, {"num_perm": 4},
    {"short_words": -1}, {"boilerplate_min_files": 1}, {"boilerplate_max_words": 0},
    {"boilerplate": "delete"}, {"keep": "last"}, {"jobs": -2},
])
def test_out_of_range_settings_are_refused(bad):
    with pytest.raises(ConfigError):
        Config(**bad)


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_threshold_is_stored_as_float_and_lists_as_tuples():
    cfg = Config(near_threshold=92, keep_priority=["wire", "agency"])
    assert cfg.near_threshold == 92.0 and isinstance(cfg.near_threshold, float)
    assert cfg.keep_priority == ("wire", "agency")
    hash(cfg)  # frozen and hashable: one Config is shared by worker processes


def test_settings_for_reports_leave_out_paths_and_jobs():
    out = Config(jobs=3, paths=("x",), keep_priority=("wire",)).settings()
    assert "jobs" not in out and "paths" not in out
    assert out["keep_priority"] == ["wire"]
    assert out["near_threshold"] == 90.0


def test_dedup_toml_is_found_in_a_parent_folder(tmp_path):
    (tmp_path / "dedup.toml").write_text("near_threshold = 93\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config_file(deep) == (tmp_path / "dedup.toml").resolve()
    assert load_config(search_from=deep).near_threshold == 93.0


def test_pyproject_without_tool_dedup_is_ignored(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.black]\nline-length = 80\n')
    found = find_config_file(tmp_path / "sub")
    assert found is None or not str(found).startswith(str(tmp_path.resolve()))


def test_nearest_file_wins_and_dedup_toml_before_pyproject(tmp_path):
    (tmp_path / "dedup.toml").write_text("near_threshold = 91\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("[tool.dedup]\nnear_threshold = 92\n")
    assert load_config(search_from=sub).near_threshold == 92.0
    (sub / "dedup.toml").write_text("near_threshold = 94\n")
    assert load_config(search_from=sub).near_threshold == 94.0


def test_overrides_win_and_none_means_unset(tmp_path):
    path = tmp_path / "dedup.toml"
    path.write_text('near_threshold = 93\nkeep = "longest"\n')
    cfg = load_config(path, near_threshold=95, keep=None)
    assert (cfg.near_threshold, cfg.keep) == (95.0, "longest")


def test_keys_may_use_dashes(tmp_path):
    path = tmp_path / "dedup.toml"
    path.write_text('boilerplate-min-files = 7\nkeep-priority = "wire"\n')
    cfg = load_config(path)
    assert cfg.boilerplate_min_files == 7
    assert cfg.keep_priority == ("wire",)


def test_paths_are_relative_to_the_config_file(tmp_path):
    path = tmp_path / "conf" / "dedup.toml"
    path.parent.mkdir()
    path.write_text('paths = ["../news", "/abs/where"]\n')
    paths = load_config(path).paths
    assert Path(paths[0]).resolve() == (tmp_path / "news").resolve()
    assert paths[1] == "/abs/where"


@pytest.mark.parametrize("content, word", [
    ("treshold = 80\n", "treshold"),
    ("near_threshold = 500\n", "near_threshold"),
    ('keep = "oldest"\n', "keep"),
    ("near_threshold = \n", "dedup.toml"),        # not TOML
])
def test_bad_config_files_raise_config_error_naming_the_problem(tmp_path, content, word):
    path = tmp_path / "dedup.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=word):
        load_config(path)


def test_pyproject_table_is_read_from_tool_dedup_only(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.dedup]\nkeep = "longest"\n')
    assert load_file_settings(path) == {"keep": "longest"}
