"""Where the generator's memory goes: peak RSS of one ``pipeline.generate``, and by whom.

Writes a synthetic project once per size (:mod:`benchmarks.corpus`, kept under
``--workdir`` and reused), then runs ``pipeline.generate`` in a fresh interpreter
for each ``--jobs`` value, so no import or earlier run is counted:

- ``ru_maxrss`` of the worker process itself and of the largest of its forked
  workers, and the wall-clock time;
- the worker's peak so far at the end of each stage (check, index, plan, render,
  graph made, graph saved), which tells the stage that set it;
- with ``--trace``, one more run under :mod:`tracemalloc` (slower, and it takes
  memory of its own, so its peak is not comparable) that prints the top
  allocations by file and line, and a census of live objects by type, both
  taken right after the index is built: the moment everything loaded is still
  alive and rendering has not begun;
- with ``--cache``, the persisted check cache: a cold check that writes it,
  its size, how long loading it takes, and a check after one added brief.

Run from the repository root::

    .venv/bin/python -m benchmarks.memory --sizes 1000,10000 --jobs 1,0 --trace
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import gc
import importlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (Linux reports KB) of this process or its largest child."""
    return resource.getrusage(who).ru_maxrss / 1024


def _settings(project: Path, docs: Path, jobs: int) -> Any:
    """The benchmark's settings (a fixed 'today'), writing into ``docs``, no schema."""
    from benchmarks.bench import _settings as bench_settings

    return dataclasses.replace(bench_settings(project), docs_dir=docs, schema_dir=None, jobs=jobs)


STAGES = (
    ("check", "generator.pipeline", "check_with_cache_file"),
    ("index", "generator.index", "build_index"),
    ("plan", "generator.pipeline", "_planned"),
    ("render", "generator.pipeline", "_render_and_write"),
    ("graph", "generator.graph", "updated"),
    ("saved", "generator.graph", "save"),
)
"""The stages whose end the peak is read at: (name, module, function)."""


def _high_water_mb() -> float:
    """This process's peak resident set so far (``VmHWM``), in MB: Linux only."""
    with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _stage_peaks(stack: contextlib.ExitStack, peaks: dict[str, float]) -> None:
    """Note in ``peaks`` the process's peak so far at the end of each of :data:`STAGES`.

    The peak only grows, so the stage that raised it most is where to look.
    """
    for stage, module_name, name in STAGES:
        module = importlib.import_module(module_name)
        real = getattr(module, name)

        def noting(*args: Any, _real: Any = real, _stage: str = stage, **kwargs: Any) -> Any:
            value = _real(*args, **kwargs)
            peaks[_stage] = _high_water_mb()
            return value

        stack.enter_context(mock.patch.object(module, name, noting))


def _census(top: int) -> list[tuple[str, int]]:
    """Live objects tracked by the garbage collector, counted by type, most first."""
    counts = collections.Counter(type(obj).__qualname__ for obj in gc.get_objects())
    return counts.most_common(top)


def worker(project: Path, jobs: int, *, trace: bool, top: int) -> dict[str, Any]:
    """One ``pipeline.generate`` in this fresh process; its peak memory, and with
    ``trace`` what was alive once the index was built."""
    from generator import index as index_module
    from generator import pipeline

    result: dict[str, Any] = {"rss_after_imports_mb": _peak_mb()}
    real_build_index = index_module.build_index
    seen: dict[str, Any] = {}

    def build_index_then_look(*args: Any, **kwargs: Any) -> Any:
        index = real_build_index(*args, **kwargs)
        if trace:
            import tracemalloc

            snapshot = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]
            )
            seen["traced_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
            seen["by_line"] = [
                f"{stat.size / 2**20:7.1f} MB {stat.count:9} blocks  {stat.traceback[0]}"
                for stat in snapshot.statistics("lineno")[:top]
            ]
            seen["by_file"] = [
                f"{stat.size / 2**20:7.1f} MB {stat.count:9} blocks  {stat.traceback[0].filename}"
                for stat in snapshot.statistics("filename")[:top]
            ]
            seen["by_type"] = _census(top)
        seen["rss_at_index_mb"] = _peak_mb()
        return index

    docs = Path(tempfile.mkdtemp(prefix="docs-", dir=project))
    try:
        settings = _settings(project, docs, jobs)
        if trace:
            import tracemalloc

            tracemalloc.start()
        peaks: dict[str, float] = {}
        with contextlib.ExitStack() as stack:
            stack.enter_context(
                mock.patch.object(index_module, "build_index", build_index_then_look)
            )
            _stage_peaks(stack, peaks)
            start = time.perf_counter()
            generated = pipeline.generate(settings)
            result["seconds"] = time.perf_counter() - start
        result["stage_peaks_mb"] = peaks
    finally:
        shutil.rmtree(docs, ignore_errors=True)
        for beside in docs.parent.glob(f"{docs.name}.check-cache*"):  # its check cache
            beside.unlink(missing_ok=True)
    result["briefs"] = generated.briefs
    result["rss_peak_mb"] = _peak_mb()
    result["rss_peak_child_mb"] = _peak_mb(resource.RUSAGE_CHILDREN)
    result.update(seen)
    return result


def cache_worker(project: Path, jobs: int) -> dict[str, Any]:
    """The persisted check cache: a cold check writes it; then its size, the time to load
    it, and a check after one brief was added, which loads and validates only that brief."""
    from generator import pipeline

    docs = project / "docs-for-cache"
    added = project / "briefings" / "zz-memory-added.yml"
    result: dict[str, Any] = {}
    settings = _settings(project, docs, jobs)
    cache_file = pipeline.cache_path(settings)
    cache_file.unlink(missing_ok=True)
    try:
        start = time.perf_counter()
        pipeline.check_with_cache_file(settings)
        result["cold_seconds"] = time.perf_counter() - start
        result["cache_bytes"] = cache_file.stat().st_size
        start = time.perf_counter()
        cache = pipeline.CheckCache.load(cache_file)
        result["load_seconds"] = time.perf_counter() - start
        result["cached_briefs"] = len(cache.entries)
        del cache
        first = sorted((project / "briefings").glob("[a-y]*.yml"))[0]
        added.write_bytes(first.read_bytes())
        loads = _count_loads()
        start = time.perf_counter()
        checked = pipeline.check_with_cache_file(settings)
        result["warm_check_seconds"] = time.perf_counter() - start
        result["warm_check_loads"] = loads()
        result["warm_check_problems"] = len(checked.report.problems)
    finally:
        added.unlink(missing_ok=True)
        cache_file.unlink(missing_ok=True)
    return result


def _count_loads() -> Any:
    """Count calls of ``load.load_yaml`` from now on; returns a function reading the count."""
    from generator import load

    calls = [0]
    real = load.load_yaml

    def counting(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("positions"):  # not a re-read for a warning's position
            calls[0] += 1
        return real(*args, **kwargs)

    load.load_yaml = counting  # type: ignore[assignment]
    return lambda: calls[0]


def _run(*args: str) -> dict[str, Any]:
    """Run one worker in a fresh interpreter and return what it printed (JSON)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"worker failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def project_for(workdir: Path, briefs: int, seed: int) -> Path:
    """The project of ``briefs`` briefs, written once and reused by later runs."""
    from benchmarks.bench import make_project

    project = workdir / f"memory-{briefs}-{seed}"
    if not (project / "briefings" / "actors.yml").exists():
        make_project(project, briefs, seed)
    return project


def _parse_ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_parse_ints, default=[1000, 10000])
    parser.add_argument("--jobs", type=_parse_ints, default=[1, 0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--trace", action="store_true", help="also a tracemalloc run (jobs=1)")
    parser.add_argument("--cache", action="store_true", help="also the check cache figures")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.jobs[0], trace=args.trace, top=args.top)))
        return 0
    if args.cache_worker:
        print(json.dumps(cache_worker(args.cache_worker, args.jobs[0])))
        return 0
    for size in args.sizes:
        project = project_for(args.workdir, size, args.seed)
        for jobs in args.jobs:
            got = _run("--worker", str(project), "--jobs", str(jobs))
            print(
                f"{size:>6} briefs jobs={jobs}: peak RSS {got['rss_peak_mb']:.0f} MB "
                f"(largest forked worker {got['rss_peak_child_mb']:.0f} MB, "
                f"{got['rss_at_index_mb']:.0f} MB once indexed, "
                f"{got['rss_after_imports_mb']:.0f} MB after imports), {got['seconds']:.1f} s",
                flush=True,
            )
            peaks = got["stage_peaks_mb"]
            stages = ", ".join(f"{k} {peaks[k]:.0f}" for k, _, _ in STAGES if k in peaks)
            print(f"{'':>6}   peak so far at the end of each stage (MB): {stages}", flush=True)
        if args.trace:
            got = _run("--worker", str(project), "--jobs", "1", "--trace", "--top", str(args.top))
            print(f"\n{size} briefs, traced once indexed: {got['traced_mb']:.0f} MB")
            for title, rows in (("by file", got["by_file"]), ("by line", got["by_line"])):
                print(f"-- {title}", *rows, sep="\n")
            print("-- live objects by type")
            for name, count in got["by_type"]:
                print(f"{count:10}  {name}")
            print(flush=True)
        if args.cache:
            got = _run("--cache-worker", str(project), "--jobs", str(args.jobs[0]))
            print(
                f"{size:>6} briefs check cache: {got['cache_bytes'] / 2**20:.1f} MB, "
                f"loaded in {got['load_seconds']:.2f} s ({got['cached_briefs']} briefs); "
                f"check after one added brief {got['warm_check_seconds']:.2f} s, "
                f"{got['warm_check_loads']} brief file(s) loaded "
                f"(cold check {got['cold_seconds']:.1f} s)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
