"""``briefings build`` as an author runs it: cold, unchanged, after a publish, after an edit.

Issue 15's targets are what an author waits for at the command line, so each build
here is the CLI in a subprocess (``benchmarks/timing.py``), timed from the outside:
whatever the generator, the site engine and Pagefind do inside it (incremental or
not) is measured as it is. One round, on a project of a synthetic corpus:

1. **cold**: everything but the configuration, the theme and the briefs is removed
   (docs folder, site, its versions, any cache a build leaves in the project), then
   ``briefings build``;
2. **no change**: ``briefings build`` again;
3. **publish**: one new brief (``corpus.write_new_brief``) is added, then ``build``;
4. **one edit**: one brief's summary is edited, then ``build``.

Afterwards the corpus is put back as it was (the new brief removed, the edit
reverted), so the next round's cold build sees the same corpus; the site of the
last round stays, with the new brief and the edit in it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import timing
from benchmarks.corpus import write_new_brief

PAGE_LIMIT = 150_000
"""Issue 15: no HTML page over 150 KB (kilobytes of 1,000 bytes, as every KB here)."""

KEEP = frozenset({"site_config.yml", "theme", "briefings"})
"""What a cold build starts with in the project folder: nothing else survives."""

EDITED_PREFIX = "Revised for the benchmark: "
"""Put in front of one brief's summary to measure an incremental rebuild."""

STEPS = ("cold", "no_change", "publish", "edit")
"""The builds of one round, in order."""


@dataclass(frozen=True)
class LargestPages:
    """The heaviest HTML files of a built site."""

    html_files: int
    over_limit: int
    """How many exceed ``limit`` bytes."""
    limit: int
    top: list[tuple[str, int]]
    """The largest pages (path relative to the site, bytes), largest first."""

    @property
    def path(self) -> str:
        """The largest page's path, relative to the site ("" for a site without pages)."""
        return self.top[0][0] if self.top else ""

    @property
    def bytes(self) -> int:
        """The largest page's size in bytes (0 for a site without pages)."""
        return self.top[0][1] if self.top else 0


def largest_pages(site: Path, limit: int = PAGE_LIMIT, top: int = 5) -> LargestPages:
    """Find the largest ``.html`` files under ``site`` and count those over ``limit`` bytes.

    Ties are broken by path, so the answer does not depend on the order of the
    folder listing.
    """
    sizes = [(p.relative_to(site).as_posix(), p.stat().st_size) for p in site.rglob("*.html")]
    sizes.sort(key=lambda item: (-item[1], item[0]))
    over = sum(1 for _path, size in sizes if size > limit)
    return LargestPages(len(sizes), over, limit, sizes[:top])


def clean_project(project: Path) -> None:
    """Remove everything from ``project`` but its configuration, theme and briefs."""
    for child in project.iterdir():
        if child.name in KEEP:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


CHECKOUT = Path(__file__).resolve().parents[1]
"""The checkout these benchmarks belong to: its generator is the one measured."""


def briefings_command(*arguments: str) -> list[str]:
    """The ``briefings`` command, as this checkout's generator runs it (see :func:`checkout_env`)."""
    return [sys.executable, "-m", "generator", *arguments]


def checkout_env() -> dict[str, str]:
    """The environment with this checkout first on Python's path.

    The environment's own ``briefings`` script imports the package it was
    installed from: run from a worktree, the benchmark timed the editable
    install's checkout instead, and a commit made there while it ran changed
    the code between two builds of one round.
    """
    paths = [os.fspath(CHECKOUT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def cli_build(project: Path) -> timing.Run:
    """One ``briefings build`` in ``project``, timed; a failed build raises RuntimeError."""
    done = timing.run(briefings_command("build"), project, env=checkout_env())
    if done.returncode != 0:
        raise RuntimeError(f"briefings build failed ({done.returncode}):\n{done.stderr}")
    return done


def edit_summary(path: Path) -> bytes:
    """Change one brief's summary in place; return the original bytes to restore."""
    original = path.read_bytes()
    lines = original.decode("utf-8").split("\n")
    at = lines.index("summary: >-") + 1
    lines[at] = lines[at][:2] + EDITED_PREFIX + lines[at][2:]
    path.write_text("\n".join(lines), encoding="utf-8")
    return original


def edited_brief(briefings: Path) -> Path:
    """The brief whose summary the edit step changes: the middle one by name."""
    briefs = sorted(p for p in briefings.glob("*.yml") if p.name != "actors.yml")
    return briefs[len(briefs) // 2]


def site_folder(project: Path) -> Path:
    """The published site of ``project`` (its ``site_dir``, a link to the current version)."""
    from generator.config import load_settings

    return load_settings(project / "site_config.yml").site_dir.resolve()


def measure_round(
    project: Path,
    briefs: int,
    seed: int,
    *,
    after_cold: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """One round of the four builds; ``after_cold`` runs (untimed) after the cold build."""
    briefings = project / "briefings"
    clean_project(project)
    runs: dict[str, Any] = {}
    runs["cold"] = cli_build(project)
    largest = largest_pages(site_folder(project))
    if after_cold:
        after_cold()
    runs["no_change"] = cli_build(project)
    edited = edited_brief(briefings)  # chosen before the new brief exists: never the new one
    new = write_new_brief(briefings, briefs, seed)
    original = None
    try:
        runs["publish"] = cli_build(project)
        original = edit_summary(edited)
        runs["edit"] = cli_build(project)
    finally:
        new.unlink(missing_ok=True)
        if original is not None:
            edited.write_bytes(original)
    answer = {
        step: {"seconds": run.seconds, "peak_rss_mb": run.peak_rss_mb} for step, run in runs.items()
    }
    return {
        "runs": answer,
        "largest": {**asdict(largest), "path": largest.path, "bytes": largest.bytes},
        "new_brief": new.stem,
        "edited_brief": edited.stem,
    }


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians and fastest runs of each step over the rounds, and the peak memory."""
    seconds = {step: [r["runs"][step]["seconds"] for r in rounds] for step in STEPS}
    return {
        "runs": seconds,
        "median": {step: statistics.median(values) for step, values in seconds.items()},
        "best": {step: min(values) for step, values in seconds.items()},
        "peak_rss_mb": max(r["runs"][step]["peak_rss_mb"] for r in rounds for step in STEPS),
        "largest": rounds[0]["largest"],
        "new_brief": rounds[0]["new_brief"],
        "edited_brief": rounds[0]["edited_brief"],
    }
