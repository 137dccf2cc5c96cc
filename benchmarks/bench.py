"""Issue 15's benchmark: the generator at 1,000 and 10,000 briefs, with Hugo beside it.

Run from the repository root (``make bench`` installs Hugo first)::

    .venv/bin/python -m benchmarks.bench                       # 1,000 and 10,000 briefs
    .venv/bin/python -m benchmarks.bench --sizes 100,1000 --json out.json
    .venv/bin/python benchmarks/bench.py --skip-mkdocs-above 10000   # MkDocs at 10,000 too

For each size the parent process writes a corpus (``benchmarks/corpus.py``) into a
project folder (a copy of ``site_config.yml`` and ``theme/``) and measures in fresh
subprocesses, so that every size starts from a clean interpreter and its peak memory
(``ru_maxrss``) is its own:

* ``stages``: one ``pipeline.generate`` first, for the peak memory of a process that
  did nothing else (``ru_maxrss``, and the PSS of it and its workers); then the
  incremental behaviour (generate again into the same folder with nothing changed,
  then after one brief's summary was edited, counting and listing what was written);
  then each stage (load, validate, index, render, write), ``pipeline.generate`` end
  to end, and the floor (C-loading the same YAML files, writing the same page bytes
  with plain ``open().write``), each the median of ``--repeats`` runs;
* Hugo (``benchmarks/hugo.py``): a comparable Hugo site written from the same corpus,
  and ``hugo --quiet`` timed cold (no ``public/``, an empty cache); skipped, with a
  note, when there is no ``hugo``;
* ``briefings build`` through the CLI (``benchmarks/builds.py``): cold (nothing but
  configuration, theme and briefs), again with no change, after a new brief is added
  (publish), after one summary is edited; the largest HTML page of the cold site;
  between the cold build and the next, a bare strict MkDocs build of the generated
  Markdown (``mkdocs``, skipped above ``--skip-mkdocs-above``);
* ``search`` (after the builds, so the site is there): Pagefind indexing the built
  site again, timed, with the size of its index; then, in Chromium, the bytes a
  reader's search transfers (``benchmarks/search_transfer.py``): a query that shows
  its first ten results, and one that finds nothing;
* the preview (``benchmarks/serve_latency.py``): save → shown in Chromium;
* ``profile`` (``--profile N``): cProfile of one ``pipeline.generate``, listing the
  generator's functions by cumulative time.

It prints the stage table, then per size our figures with Hugo's beside them and
the ratio, then the targets table (``benchmarks/targets.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import datetime as dt
import gc
import hashlib
import importlib.util
import io
import itertools
import json
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import builds, hugo, serve_latency, targets
from benchmarks.corpus import CorpusInfo, write_corpus

ROOT = Path(__file__).resolve().parent.parent
"""The repository: its site_config.yml and theme/ are copied into each project."""

TODAY = dt.date(2025, 6, 30)
"""The benchmark's 'today': after every synthetic brief, so none is embargoed."""

T = TypeVar("T")


# --- Measuring, inside a worker process -------------------------------------------------


class _MemorySampler(threading.Thread):
    """Samples the proportional set size (PSS) of this process and its workers.

    RSS counts a page shared by a parent and its forked worker twice; PSS splits
    it between them, so their sum is the memory the generator really takes.
    Linux only (``/proc/…/smaps_rollup``); elsewhere it reports nothing.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.done = threading.Event()

    @staticmethod
    def _pss_mb(pid: int) -> float:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
        except OSError:
            return 0.0
        found = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
        return int(found.group(1)) / 1024 if found else 0.0

    def _pids(self) -> list[int]:
        me = os.getpid()
        try:
            children = Path(f"/proc/{me}/task/{me}/children").read_text(encoding="ascii")
        except OSError:
            children = ""
        return [me, *(int(pid) for pid in children.split())]

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak_mb = max(self.peak_mb, sum(self._pss_mb(pid) for pid in self._pids()))


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MB (Linux reports KB), of this process or
    (``RUSAGE_CHILDREN``) of the largest of its finished children."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``fn`` takes, garbage from earlier work collected first, and its result."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _settings(project: Path) -> Any:
    """The project's settings, with a fixed 'today' so no synthetic brief is embargoed."""
    from generator.config import load_settings

    return dataclasses.replace(load_settings(project / "site_config.yml"), today=TODAY)


@contextlib.contextmanager
def _scratch(project: Path, name: str) -> Iterator[Path]:
    """A folder that does not exist yet, removed afterwards (outside any timing)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=project))
    folder.rmdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for beside in folder.parent.glob(f"{folder.name}.check-cache*"):  # a docs folder's cache
            beside.unlink(missing_ok=True)


def _floor_load(paths: Sequence[Path]) -> None:
    """The least any loader can do: PyYAML's C loader over every file."""
    import yaml

    for path in paths:
        with path.open("rb") as stream:
            yaml.load(stream, Loader=yaml.CSafeLoader)


def _floor_write(pages: Sequence[tuple[str, bytes]], folder: Path) -> None:
    """The least any writer can do: the same bytes, one plain write per file."""
    made: set[Path] = set()
    for name, data in pages:
        target = folder / name
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        with open(target, "wb") as stream:  # noqa: PTH123 - the floor is the plainest write
            stream.write(data)


def _stage_round(
    settings: Any, project: Path, yaml_files: Sequence[Path], *, generate: bool, floor_first: bool
) -> dict[str, Any]:
    """One timing of each stage, of the floor and (if ``generate``) of ``pipeline.generate``."""
    from unittest import mock

    from generator import load, pipeline, validate
    from generator.index import build_index
    from generator.render import render_all
    from generator.write import write_pages

    times: dict[str, float] = {}
    folder = settings.briefings_dir

    def load_all() -> dict[Path, Any]:
        paths, _problems = load.find_brief_files(folder)
        return {path: load.load_yaml(path) for path in [folder / load.ACTORS_FILE, *paths]}

    times["load"], loaded = _timed(load_all)
    # Validation is pipeline.check itself, with every file already loaded: the loader
    # is swapped for a lookup, so the code timed is check's own, minus loading.
    with mock.patch.object(load, "load_yaml", lambda path, **_options: loaded[path]):
        # One process, as every stage here: generate alone shares its work (jobs).
        alone = dataclasses.replace(settings, jobs=1)
        times["validate"], checked = _timed(lambda: pipeline.check(alone))
    if checked.report.errors:
        raise SystemExit(f"the synthetic corpus is invalid: {checked.report.errors[:3]}")
    published, _held = validate.release(checked.briefs, settings.today, preview=False)
    times["index"], index = _timed(lambda: build_index(published, checked.actors, settings.related))
    times["render"], pages = _timed(lambda: render_all(index, settings))
    encoded = [(p.path, p.content()) for p in pages]
    # The two writes run back to back, before either folder is removed: file creation
    # on a virtual disk slows down for a while after thousands of files are deleted,
    # and whichever writes first pays for it. So they take turns going first.
    with _scratch(project, "docs") as docs, _scratch(project, "floor") as floor:
        if floor_first:
            times["floor_write"], _ = _timed(lambda: _floor_write(encoded, floor))
        times["write"], _stats = _timed(lambda: write_pages(pages, docs))
        if not floor_first:
            times["floor_write"], _ = _timed(lambda: _floor_write(encoded, floor))
    warnings = len(checked.report.warnings)
    loaded = checked = published = index = pages = None  # free them before generate runs

    if generate:
        with _scratch(project, "docs") as docs, _scratch(project, "schema") as schema:
            run = dataclasses.replace(settings, docs_dir=docs, schema_dir=schema)
            times["generate"], _generated = _timed(lambda: pipeline.generate(run))
    times["floor_load"], _ = _timed(lambda: _floor_load(yaml_files))
    page_bytes = sum(len(data) for _, data in encoded)
    return {"times": times, "warnings": warnings, "page_bytes": page_bytes}


def _written(generated: Any) -> Sequence[str]:
    """The outputs a generate wrote, from its write statistics."""
    return getattr(generated.stats, "written", ()) or ()


def _incremental(run: Any, steps: Sequence[str]) -> dict[str, Any]:
    """Generate again into ``run.docs_dir``: unchanged, one summary edited, edit reverted."""
    from generator import pipeline

    briefs = sorted(p for p in run.briefings_dir.glob("*.yml") if p.name != "actors.yml")
    edited = briefs[len(briefs) // 2]
    result: dict[str, Any] = {"edited_brief": edited.stem}
    for step in steps:
        original = builds.edit_summary(edited) if step == "edited" else None
        try:
            seconds, generated = _timed(lambda: pipeline.generate(run))
        finally:
            if original is not None:
                edited.write_bytes(original)
        written = _written(generated)
        result[step] = {
            "seconds": seconds,
            "written": len(written),
            "unchanged": len(getattr(generated.stats, "unchanged", ()) or ()),
            "removed": len(getattr(generated.stats, "removed", ()) or ()),
            "written_pages": list(written)[:50],
        }
    return result


def worker_stages(project: Path, repeats: int) -> dict[str, Any]:
    """Peak memory of one generate, incremental rebuilds, then each stage and the floor.

    The first ``pipeline.generate`` runs with nothing else in memory, for its peak
    memory; it also warms the page cache, so every later read finds the files in
    memory. The next runs write into the same docs folder to count what an
    unchanged, then an edited corpus rewrites. Then come ``repeats`` rounds of the
    stages and the floor; with one round only, the first generate is its timing.
    """
    from generator import pipeline

    settings = _settings(project)
    result: dict[str, Any] = {"rss_after_imports_mb": _peak_rss_mb()}
    times: dict[str, list[float]] = {}
    with _scratch(project, "docs") as docs, _scratch(project, "schema") as schema:
        run = dataclasses.replace(settings, docs_dir=docs, schema_dir=schema)
        sampler = _MemorySampler()
        sampler.start()
        seconds, generated = _timed(lambda: pipeline.generate(run))
        sampler.done.set()
        sampler.join()
        result["rss_peak_mb"] = _peak_rss_mb()
        result["rss_peak_worker_mb"] = _peak_rss_mb(resource.RUSAGE_CHILDREN)
        result["pss_peak_mb"] = sampler.peak_mb
        result["pages"] = len(_written(generated))
        result["published"] = generated.briefs
        times["generate"] = [seconds]
        del generated
        steps = ("unchanged", "edited", "reverted") if repeats > 1 else ("unchanged", "edited")
        with _noting_failure(result, "incremental_failed"):
            result["incremental"] = _incremental(run, steps)
            result["incremental"]["first"] = {"seconds": seconds, "written": result["pages"]}

    yaml_files = sorted(settings.briefings_dir.glob("*.yml"))
    # The stages are timed through the generator's module functions, which change more
    # often than the command line: a failure here loses the stage rows, not the rest.
    with _noting_failure(result, "stages_failed"):
        for number in range(repeats):
            one = _stage_round(
                settings, project, yaml_files, generate=repeats > 1, floor_first=number % 2 == 1
            )
            for stage, seconds in one["times"].items():
                times.setdefault(stage, []).append(seconds)
            result["warnings"], result["page_bytes"] = one["warnings"], one["page_bytes"]
    result["runs"] = times
    result["median"] = {stage: statistics.median(values) for stage, values in times.items()}
    # The fastest run is the one least disturbed by anything else the machine did.
    result["best"] = {stage: min(values) for stage, values in times.items()}
    for figures in (result["median"], result["best"]):
        if "floor_load" in figures and "floor_write" in figures:
            figures["floor"] = figures["floor_load"] + figures["floor_write"]
    return result


@contextlib.contextmanager
def _noting_failure(result: dict[str, Any], key: str) -> Iterator[None]:
    """Record an exception of the block under ``result[key]`` (its last lines) and go on."""
    try:
        yield
    except Exception as exc:  # any failure is reported, the rest measured
        import traceback

        lines = traceback.format_exception(exc)
        result[key] = "".join(lines)[-2000:]
        _say(f"{key}: {lines[-1].strip()}")


def worker_mkdocs(project: Path) -> dict[str, Any]:
    """One bare strict MkDocs build of the generated Markdown, into a fresh folder."""
    from generator.site import run_mkdocs

    settings = _settings(project)
    if not (settings.docs_dir / "index.md").exists():
        raise SystemExit("generate the Markdown first (run the 'build' worker)")
    with _scratch(project, "site-bare") as site:
        seconds, _ = _timed(lambda: run_mkdocs(settings, site, strict=True))
        files = sum(1 for _ in site.rglob("*.html"))
    return {"seconds": seconds, "html_files": files}


def worker_search(project: Path, *, reindex: bool) -> dict[str, Any]:
    """Index the built site again (timed, if ``reindex``), then a reader's search in Chromium.

    Indexing again is skipped where MkDocs is (``--skip-mkdocs-above``): at 10,000
    briefs a whole Pagefind index took minutes and gigabytes (issue 15), and the
    build already includes it.
    """
    from benchmarks import search_transfer
    from generator import search

    settings = _settings(project)
    site = settings.site_dir.resolve()
    if not (site / search.FOLDER / search.BUNDLES).is_file():
        raise SystemExit("build the site first (briefings build)")
    answer: dict[str, Any] = {}
    if reindex:
        answer["index_seconds"], answer["pages"] = _timed(lambda: search.index_site(site))
    files = [p for p in (site / search.FOLDER).rglob("*") if p.is_file()]
    answer["index_files"] = len(files)
    answer["index_bytes"] = sum(p.stat().st_size for p in files)
    missing = search_transfer.available()
    if missing:
        answer["transfer_skipped"] = missing
    else:
        answer.update(search_transfer.measure(site))
    return answer


def worker_profile(project: Path, top: int) -> str:
    """cProfile of one ``pipeline.generate`` (after a warm-up run), as text."""
    from generator import pipeline

    settings = _settings(project)
    with _scratch(project, "docs") as docs:
        pipeline.generate(dataclasses.replace(settings, docs_dir=docs, schema_dir=None))
    with _scratch(project, "docs") as docs:
        run = dataclasses.replace(settings, docs_dir=docs, schema_dir=None)
        profiler = cProfile.Profile()
        gc.collect()
        profiler.runcall(pipeline.generate, run)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write("=== generator/ functions by cumulative time ===\n")
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"generator[/\\]", top)
    out.write("=== every function by own (total) time ===\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --- Orchestrating, in the parent process -------------------------------------------------


def _run_worker(kind: str, project: Path, *extra: str) -> Any:
    """Run one measurement in a fresh interpreter and return its JSON answer."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench",
        "--worker",
        kind,
        "--project",
        str(project),
    ]
    done = subprocess.run([*command, *extra], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {kind} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_project(folder: Path, briefs: int, seed: int) -> CorpusInfo:
    """A project folder like the repository's: configuration, theme and a synthetic corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "site_config.yml", folder / "site_config.yml")
    shutil.copytree(ROOT / "theme", folder / "theme", dirs_exist_ok=True)
    shutil.rmtree(folder / "briefings", ignore_errors=True)
    return write_corpus(folder / "briefings", briefs, seed)


def source_state() -> dict[str, str]:
    """Which generator was measured: its folder, a digest of its sources, the git commit."""
    spec = importlib.util.find_spec("generator")
    folder = Path(spec.origin).parent if spec and spec.origin else ROOT / "generator"
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".tmpl", ".yml"):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    state = {"generator": str(folder), "sources_sha256": digest.hexdigest()[:16]}
    git = ["git", "-C", str(folder.parent)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    if head.returncode == 0:
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "generator"],
            capture_output=True,
            text=True,
            check=False,
        )
        state["commit"] = head.stdout.strip()
        state["generator_uncommitted"] = str(bool(dirty.stdout.strip()))
    return state


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_size(workdir: Path, briefs: int, args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement for one corpus size."""
    project = workdir / f"n{briefs}"
    start = time.perf_counter()
    info = make_project(project, briefs, args.seed)
    _say(
        f"[{briefs}] corpus: {info.briefs} briefs, {info.mean_brief_kb:.1f} KB each, "
        f"{info.actors} actors, {info.tags} tags ({time.perf_counter() - start:.1f} s)"
    )
    repeats = args.repeats if briefs <= args.repeat_up_to else 1
    result: dict[str, Any] = {
        "briefs": briefs,
        "corpus": dataclasses.asdict(info),
        "repeats": repeats,
    }
    result["corpus"]["mean_brief_kb"] = info.mean_brief_kb

    _say(f"[{briefs}] generate, incremental, then stages x{repeats} …")
    try:
        result["stages"] = _run_worker("stages", project, "--repeats", str(repeats))
    except RuntimeError as exc:
        _say(f"[{briefs}] stages FAILED: {str(exc).strip().splitlines()[-1]}")
        result["stages"] = {"failed": str(exc)[-2000:]}
    result["incremental"] = result["stages"].pop("incremental", {})

    result["hugo"] = measure_hugo(workdir, project, briefs, repeats, args.keep)
    result["builds"], bare = measure_builds(project, briefs, repeats, args)
    if bare:
        result["mkdocs_runs"] = bare
        result["mkdocs"] = {
            "mkdocs": statistics.median(bare["mkdocs"]),
            "build_cold": result["builds"]["median"]["cold"],
            "build_warm": result["builds"]["median"]["no_change"],
        }
        result["mkdocs_best"] = {
            "mkdocs": min(bare["mkdocs"]),
            "build_cold": result["builds"]["best"]["cold"],
            "build_warm": result["builds"]["best"]["no_change"],
        }
        result["html_files"] = bare["html_files"]
    reindex = ["--reindex"] if briefs <= args.skip_mkdocs_above else []
    _say(f"[{briefs}] search: {'index the built site again, then ' if reindex else ''}"
         "a reader's queries in Chromium …")  # fmt: skip
    try:
        result["search"] = _run_worker("search", project, *reindex)
    except RuntimeError as exc:
        result["search"] = {"transfer_skipped": f"failed: {str(exc).strip().splitlines()[-1]}"}
    try:
        result["preview"] = measure_preview(workdir, briefs, args)
    except Exception as exc:  # a preview that never shows is a figure too
        result["preview"] = {"skipped": f"failed: {type(exc).__name__}: {exc}"}
    if not args.keep:
        shutil.rmtree(project, ignore_errors=True)
    return result


def measure_hugo(
    workdir: Path, project: Path, briefs: int, repeats: int, keep: bool
) -> dict[str, Any]:
    """Hugo's cold build of a comparable site made from the same corpus (``hugo.py``)."""
    missing = hugo.available()
    if missing:
        _say(f"[{briefs}] note: {missing}")
        return {"skipped": missing}
    site = workdir / f"n{briefs}-hugo"
    pages = hugo.write_site(project / "briefings", site)
    runs = []
    try:
        for run in range(repeats):
            _say(f"[{briefs}] Hugo, cold build {run + 1}/{repeats} …")
            runs.append(hugo.build(site))
        largest = builds.largest_pages(site / "public")
    except RuntimeError as exc:
        _say(f"[{briefs}] Hugo FAILED: {exc}")
        return {"skipped": f"hugo failed: {str(exc).strip().splitlines()[-1]}"}
    finally:
        if not keep:
            shutil.rmtree(site, ignore_errors=True)
    return {
        "version": hugo.version(),
        "content_pages": pages,
        "runs": [run.seconds for run in runs],
        "seconds": statistics.median(run.seconds for run in runs),
        "best": min(run.seconds for run in runs),
        "html_files": runs[-1].html_files,
        "peak_rss_mb": max(run.peak_rss_mb for run in runs),
        "largest": {"path": largest.path, "bytes": largest.bytes, "over_limit": largest.over_limit},
    }


def measure_builds(
    project: Path, briefs: int, repeats: int, args: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``repeats`` rounds of the CLI builds (``builds.py``), with bare MkDocs between.

    The bare MkDocs build of the generated Markdown runs after each cold build,
    untimed by the round, unless the size is above ``--skip-mkdocs-above``.
    """
    bare: dict[str, Any] | None = {"mkdocs": []} if briefs <= args.skip_mkdocs_above else None

    def mkdocs() -> None:
        if bare is not None:
            answer = _run_worker("mkdocs", project)
            bare["mkdocs"].append(answer["seconds"])
            bare["html_files"] = answer["html_files"]

    rounds = []
    for run in range(repeats):
        _say(
            f"[{briefs}] briefings build: cold, no change, publish, one edit ({run + 1}/{repeats}) …"
        )
        rounds.append(builds.measure_round(project, briefs, args.seed, after_cold=mkdocs))
    return builds.summarise(rounds), bare


def measure_preview(workdir: Path, briefs: int, args: argparse.Namespace) -> dict[str, Any]:
    """Save → shown in Chromium (``serve_latency.py``), on a fresh copy of the corpus."""
    if args.preview_edits <= 0:
        return {"skipped": "not measured (--preview-edits 0)"}
    chromium = Path(os.environ.get("BRIEFINGS_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.is_file():
        return {"skipped": f"not measured: no Chromium at {chromium} (`make browser-deps`)"}
    _say(f"[{briefs}] preview: {args.preview_edits} saves, each until shown in Chromium …")
    times = serve_latency.measure(
        briefs,
        args.preview_edits,
        full=False,
        settle=args.preview_settle,
        workdir=workdir,
        seed=args.seed,
    )
    return {"seen": "Chromium", "runs": times, "median": statistics.median(times)}


def ratios(results: dict[int, dict[str, Any]]) -> dict[str, float]:
    """The ratios the team's targets are written in."""
    out: dict[str, float] = {}
    for n, r in results.items():
        with contextlib.suppress(KeyError, ZeroDivisionError):
            median, best = r["stages"]["median"], r["stages"]["best"]
            out[f"generate/floor@{n}"] = median["generate"] / median["floor"]
            out[f"generate/floor@{n} (best runs)"] = best["generate"] / best["floor"]
        if "mkdocs" in r:
            out[f"build_cold/mkdocs@{n}"] = r["mkdocs"]["build_cold"] / r["mkdocs"]["mkdocs"]
            out[f"build_warm/mkdocs@{n}"] = r["mkdocs"]["build_warm"] / r["mkdocs"]["mkdocs"]
            fastest = r["mkdocs_best"]
            out[f"build_cold/mkdocs@{n} (best runs)"] = fastest["build_cold"] / fastest["mkdocs"]
        hugo_cold = targets.hugo_seconds(r)
        if hugo_cold and "builds" in r:
            for step in builds.STEPS:
                out[f"build_{step}/hugo_cold@{n}"] = r["builds"]["median"][step] / hugo_cold
    sizes = sorted(results)
    for small, large in itertools.pairwise(sizes):
        with contextlib.suppress(KeyError, ZeroDivisionError):
            key = f"generate@{large}/generate@{small}"
            big, little = results[large]["stages"]["median"], results[small]["stages"]["median"]
            out[key] = big["generate"] / little["generate"]
            out[f"floor@{large}/floor@{small}"] = big["floor"] / little["floor"]
            big, little = results[large]["stages"]["best"], results[small]["stages"]["best"]
            out[f"{key} (best runs)"] = big["generate"] / little["generate"]
    return out


_ROWS: tuple[tuple[str, str], ...] = (
    ("load", "load (load_yaml per file)"),
    ("validate", "validate (check minus load)"),
    ("index", "index (build_index)"),
    ("render", "render (render_all)"),
    ("write", "write (write_pages, empty dir)"),
    ("stages", "sum of the stages"),
    ("generate", "pipeline.generate, end to end"),
    ("floor_load", "floor: C-load the YAML"),
    ("floor_write", "floor: write the page bytes"),
    ("floor", "floor total"),
)


def table(results: dict[int, dict[str, Any]]) -> str:
    """The figures as a plain-text table: one column per corpus size."""
    sizes = sorted(results)
    width = 34
    lines = ["stage (seconds, median)".ljust(width) + "".join(f"{n:>12,}" for n in sizes)]
    lines.append("-" * len(lines[0]))

    def row(label: str, cells: Sequence[str]) -> None:
        lines.append(label.ljust(width) + "".join(f"{c:>12}" for c in cells))

    def each(pick: Callable[[dict[str, Any]], str]) -> list[str]:
        """One cell per size; ``-`` where the figure was not measured (a failed stage)."""
        cells = []
        for n in sizes:
            try:
                cells.append(pick(results[n]))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("-")
        return cells

    stage_sum = ("load", "validate", "index", "render", "write")
    for key, label in _ROWS:
        if key == "stages":
            row(label, each(lambda r: f"{sum(r['stages']['median'][k] for k in stage_sum):.3f}"))
        else:
            row(label, each(lambda r, key=key: f"{r['stages']['median'][key]:.3f}"))
    row(
        "generate / floor",
        each(
            lambda r: f"{r['stages']['median']['generate'] / r['stages']['median']['floor']:.2f}x"
        ),
    )
    row("pages written", each(lambda r: f"{r['stages']['pages']:,}"))
    row("page MB", each(lambda r: f"{r['stages']['page_bytes'] / 1e6:.1f}"))
    row("corpus MB (briefs)", each(lambda r: f"{r['corpus']['brief_bytes'] / 1e6:.1f}"))
    row("peak RSS, generate (MB)", each(lambda r: f"{r['stages']['rss_peak_mb']:.0f}"))
    row(
        "  largest worker's peak RSS (MB)",
        each(lambda r: f"{r['stages']['rss_peak_worker_mb']:.0f}"),
    )
    row("  all processes, peak PSS (MB)", each(lambda r: f"{r['stages']['pss_peak_mb']:.0f}"))
    row("  RSS after imports (MB)", each(lambda r: f"{r['stages']['rss_after_imports_mb']:.0f}"))
    for n in sizes:
        for key in ("failed", "incremental_failed", "stages_failed"):
            failure = results[n]["stages"].get(key)
            if failure:
                lines.append(
                    f"  at {n:,}: {key.replace('_', ' ')}: {failure.strip().splitlines()[-1]}"
                )
    lines.append("")

    def mk(n: int, kind: str) -> str:
        return f"{results[n]['mkdocs'][kind]:.2f}" if "mkdocs" in results[n] else "skipped"

    row("bare MkDocs build (strict)", [mk(n, "mkdocs") for n in sizes])
    row("briefings build, cold", [mk(n, "build_cold") for n in sizes])
    row("briefings build, no change", [mk(n, "build_warm") for n in sizes])
    row(
        "build cold / bare MkDocs",
        [
            f"{results[n]['mkdocs']['build_cold'] / results[n]['mkdocs']['mkdocs']:.2f}x"
            if "mkdocs" in results[n]
            else "skipped"
            for n in sizes
        ],
    )
    lines.append("")

    def searched(n: int, pick: Callable[[dict[str, Any]], str]) -> str:
        found = results[n].get("search")
        if not found:
            return "skipped"
        try:
            return pick(found)
        except KeyError:  # not measured: the reason is printed below the rows
            return "-"

    row("search: pages indexed", [searched(n, lambda s: f"{s['pages']:,}") for n in sizes])
    row(
        "search: indexing again (s)",
        [searched(n, lambda s: f"{s['index_seconds']:.2f}") for n in sizes],
    )
    row("search: index files", [searched(n, lambda s: f"{s['index_files']:,}") for n in sizes])
    row(
        "search: index MB",
        [searched(n, lambda s: f"{s['index_bytes'] / 1e6:.1f}") for n in sizes],
    )
    row(
        "search: 10 results, KB moved",
        [searched(n, lambda s: f"{s['ten_results']['bytes'] / 1000:.0f}") for n in sizes],
    )
    row(
        "  the same, gzipped by the host",
        [searched(n, lambda s: f"{s['ten_results']['bytes_gzip'] / 1000:.0f}") for n in sizes],
    )
    row(
        "search: no result, KB moved",
        [searched(n, lambda s: f"{s['no_results']['bytes'] / 1000:.0f}") for n in sizes],
    )
    row(
        "  the same, gzipped by the host",
        [searched(n, lambda s: f"{s['no_results']['bytes_gzip'] / 1000:.0f}") for n in sizes],
    )
    for n in sizes:
        skipped = results[n].get("search", {}).get("transfer_skipped")
        if skipped:
            lines.append(f"  search transfer at {n:,} not measured: {skipped}")
    lines.append("")
    row("generate: first run, written", each(lambda r: f"{r['incremental']['first']['written']:,}"))
    row("  no change: written", each(lambda r: f"{r['incremental']['unchanged']['written']}"))
    row("  no change: seconds", each(lambda r: f"{r['incremental']['unchanged']['seconds']:.3f}"))
    row("  one summary edited: written", each(lambda r: f"{r['incremental']['edited']['written']}"))
    row(
        "  one summary edited: seconds",
        each(lambda r: f"{r['incremental']['edited']['seconds']:.3f}"),
    )
    for n in sizes:
        inc = results[n].get("incremental") or {}
        if "edited" not in inc:
            continue
        pages = ", ".join(inc["edited"]["written_pages"])
        lines.append(f"  rewritten at {n:,} after editing {inc['edited_brief']}: {pages}")
    return "\n".join(lines)


def _parse_sizes(text: str) -> list[int]:
    return sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", type=_parse_sizes, default=[1_000, 10_000])
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--skip-mkdocs-above",
        type=int,
        default=1_000,
        metavar="N",
        help="no MkDocs builds for sizes above N (default 1000; 10,000 pages take over a minute)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--repeat-up-to",
        type=int,
        default=1_000,
        metavar="N",
        help="sizes above N are measured once (default 1000)",
    )
    parser.add_argument(
        "--profile", type=int, metavar="N", help="also profile generate at N briefs"
    )
    parser.add_argument("--profile-top", type=int, default=30, help="rows of the profile")
    parser.add_argument(
        "--preview-edits",
        type=int,
        default=3,
        metavar="N",
        help="saves timed in the preview, per size (default 3; 0 skips the preview)",
    )
    parser.add_argument(
        "--preview-settle",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds between the preview's saves (default 10)",
    )
    parser.add_argument("--workdir", type=Path, help="where projects go (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    # Internal: one measurement in a fresh process (see _run_worker).
    parser.add_argument(
        "--worker",
        choices=("stages", "mkdocs", "search", "profile"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reindex", action="store_true", help=argparse.SUPPRESS)
    return parser


def _worker(args: argparse.Namespace) -> int:
    project = args.project.resolve()
    if args.worker == "profile":
        print(worker_profile(project, args.profile_top))
        return 0
    answer: Any
    if args.worker == "stages":
        answer = worker_stages(project, args.repeats)
    elif args.worker == "mkdocs":
        answer = worker_mkdocs(project)
    else:
        answer = worker_search(project, reindex=args.reindex)
    print(json.dumps(answer))
    return 0


def _profile(workdir: Path, args: argparse.Namespace) -> str:
    """The cProfile listing of one generate of ``args.profile`` briefs."""
    project = workdir / f"profile-n{args.profile}"
    make_project(project, args.profile, args.seed)
    _say(f"[{args.profile}] profile …")
    try:
        command = [sys.executable, "-m", "benchmarks.bench", "--worker", "profile"]
        command += ["--project", str(project), "--profile-top", str(args.profile_top)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        if not args.keep:
            shutil.rmtree(project, ignore_errors=True)
    return done.stdout if done.returncode == 0 else f"profile failed:\n{done.stderr[-4000:]}"


def _write_json(
    path: Path,
    args: argparse.Namespace,
    results: dict[int, dict[str, Any]],
    failed: dict[int, str],
    profile: str | None,
) -> None:
    meta = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "seed": args.seed,
        "today": TODAY.isoformat(),
        "peak_memory": "ru_maxrss of a fresh worker process after one pipeline.generate",
        **source_state(),
    }
    document = {
        "meta": meta,
        "results": results,
        "failed": failed,
        "ratios": ratios(results),
        "targets": targets.target_rows(results),
        "profile": profile,
    }
    path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every size, print the table and the ratios, optionally write JSON.

    A size whose measurement fails (an invalid corpus, a failed build) is reported
    and skipped; the JSON file is rewritten after every size, so a long run that
    is stopped keeps what it measured.
    """
    args = build_parser().parse_args(argv)
    if args.worker:
        return _worker(args)
    temporary = args.workdir is None
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="briefings-bench-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Any]] = {}
    failed: dict[int, str] = {}
    profile = None
    try:
        for briefs in args.sizes:
            try:
                results[briefs] = measure_size(workdir, briefs, args)
            except RuntimeError as exc:
                failed[briefs] = str(exc)
                _say(f"[{briefs}] FAILED: {str(exc).strip().splitlines()[-1]}")
            if args.json:
                _write_json(args.json, args, results, failed, profile)
        if args.profile:
            profile = _profile(workdir, args)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    state = source_state()
    print(f"generator: {state['generator']} (sources {state['sources_sha256']})")
    if results:
        print(table(results))
        print()
        for key, value in ratios(results).items():
            print(f"{key:<46}{value:>8.2f}")
        for briefs, result in sorted(results.items()):
            print()
            print(targets.versus_hugo(briefs, result))
        print()
        print(targets.targets_table(results))
    for briefs, message in failed.items():
        print(f"\n{briefs:,} briefs: not measured; {message.strip().splitlines()[-1]}")
    if profile:
        print()
        print(profile)
    if args.json:
        _write_json(args.json, args, results, failed, profile)
        _say(f"wrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
