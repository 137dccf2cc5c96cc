"""The dependency graph's stages around one publish, timed in one process.

``python -m benchmarks.graph_stages PROJECT N``: PROJECT holds ``site_config.yml``,
``theme/`` and ``briefings/`` with a corpus of N briefs (``python -m benchmarks.corpus``).
A first ``generate`` makes the docs folder and its graph (nothing, when they are
up to date); a copy of the project then gets one new brief
(``corpus.write_new_brief``) and is generated again, with ``graph.load``,
``Inputs``, ``Graph.stale``, ``graph.updated`` and ``graph.save`` timed (wall
clock). Last, every key's digest is taken again from scratch, and the key kinds
that cost most are listed.
"""

from __future__ import annotations

import collections
import logging
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.corpus import write_new_brief
from generator import graph, pipeline
from generator.config import load_settings

TIMES: dict[str, float] = collections.defaultdict(float)
CAUGHT: dict[str, Any] = {}


def _timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        finally:
            TIMES[name] += time.perf_counter() - start
        CAUGHT[name] = args[0] if name == "Inputs" else result
        return result

    return timed


def main(argv: list[str]) -> None:
    """Time one publish of ``argv[1]`` briefs into a copy of the project ``argv[0]``."""
    logging.disable(logging.WARNING)
    project, briefs = Path(argv[0]), int(argv[1])
    start = time.perf_counter()
    first = pipeline.generate(replace(load_settings(project / "site_config.yml"), schema_dir=None))
    print(f"first generate {time.perf_counter() - start:7.2f} s  rendered {first.rendered}")
    work = project.with_name(project.name + "-publish")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(project, work)
    write_new_brief(work / "briefings", briefs, 1)
    settings = replace(load_settings(work / "site_config.yml"), schema_dir=None)
    graph.load = _timed("load", graph.load)
    graph.Inputs.__init__ = _timed("Inputs", graph.Inputs.__init__)  # type: ignore[method-assign]
    graph.Graph.stale = _timed("stale", graph.Graph.stale)  # type: ignore[method-assign]
    graph.updated = _timed("updated", graph.updated)
    graph.save = _timed("save", graph.save)
    start = time.perf_counter()
    done = pipeline.generate(settings)
    total = time.perf_counter() - start
    for name, seconds in TIMES.items():
        print(f"{name:8} {seconds:7.2f} s")
    print(f"generate {total:7.2f} s  rendered {done.rendered}")
    saved, inputs = CAUGHT["updated"], CAUGHT["Inputs"]
    print(f"{len(saved.keys)} keys, {len(saved.outputs)} outputs")
    inputs.known.clear()
    getattr(inputs, "memo", {}).clear()
    kinds: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])
    for key in saved.keys:
        start = time.perf_counter()
        inputs.digest(key)
        kinds[key[0]][0] += 1
        kinds[key[0]][1] += time.perf_counter() - start
    for kind, (count, spent) in sorted(kinds.items(), key=lambda k: -k[1][1])[:10]:
        print(f"  {kind:22} {count:7.0f} keys {spent:7.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
