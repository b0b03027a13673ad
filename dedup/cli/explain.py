"""``dedup explain``: why two paragraphs do or don't count as repeats."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from . import (ConfigFile, Encoding, LshThreshold, NumPerm, Shingle, ShortWords, Threshold,
               _fail, app)
from ..config import ConfigError, load_config
from ..input.documents import InputError
from ..report.explain import LocateError, as_dict, explain_locations, render_text


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def explain(
    first: Annotated[str, typer.Argument(metavar="FILE_A:LINE",
                                         help="A paragraph: file and any line of it.")],
    second: Annotated[str, typer.Argument(metavar="FILE_B:LINE",
                                          help="The paragraph to compare it with.")],
    format: Annotated[ExplainFormat, typer.Option("--format", "-f", help="Output format.")]
    = ExplainFormat.text,
    threshold: Threshold = None, lsh_threshold: LshThreshold = None,
    shingle_size: Shingle = None, num_perm: NumPerm = None, short_words: ShortWords = None,
    config: ConfigFile = None, encoding: Encoding = None,
) -> None:
    """Explain why two paragraphs do or don't count as repeats.

    Prints their normalised texts, the estimated and exact shingle Jaccard,
    whether LSH proposes the pair, the fuzzy score and threshold, the facts
    check and the words that differ, with the settings `dedup scan` would use.
    """
    try:
        cfg = load_config(config, near_threshold=threshold, lsh_threshold=lsh_threshold,
                          shingle_size=shingle_size, num_perm=num_perm, short_words=short_words)
    except ConfigError as exc:
        _fail(str(exc))
    for loc in (first, second):
        path = loc.rpartition(":")[0]
        if path and not Path(path).is_file():
            _fail(f"no such file: {path}")
    try:
        result = explain_locations(first, second, cfg, encoding)
    except (LocateError, InputError) as exc:
        _fail(str(exc))
    if format is ExplainFormat.json:
        typer.echo(json.dumps(as_dict(result), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_text(result), nl=False)
