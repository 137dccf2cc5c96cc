"""The static-site engines that can build the generated Markdown, each run through its CLI.

The generator writes plain Markdown and one MkDocs-style configuration, so any
engine that reads that configuration can build it: ProperDocs (the maintained
continuation of MkDocs 1.x, the default), MkDocs 1.6 itself, and Zensical
(Material's successor). Each runs as its own process through its documented
command line, so no engine's internals, logging or import-time state leak
into ours, and its output is kept to say why a build failed.

This is the whole build. An incremental one, which renders only the pages whose
Markdown changed, runs ProperDocs (or MkDocs) in our process instead, through
:mod:`generator.live_engine`; :mod:`generator.site` chooses between them.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildError

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "properdocs"


@dataclass(frozen=True)
class Engine:
    """One engine: its name in ``extra.briefings.engine``, its module and how it is shown."""

    name: str
    module: str
    label: str

    def command(self, config_file: Path, site_dir: Path, *, strict: bool) -> list[str]:
        """The command line that builds ``config_file`` into ``site_dir``."""
        strictness = (
            ["--strict"] if strict else ([] if self.name == "zensical" else ["--no-strict"])
        )
        if self.name == "zensical":  # no --site-dir option: site_dir comes from the file
            return [sys.executable, "-m", self.module, "build", "--clean", *strictness,
                    "-f", str(config_file)]  # fmt: skip
        return [sys.executable, "-m", self.module, "build", *strictness,
                "-f", str(config_file), "-d", str(site_dir)]  # fmt: skip


ENGINES: dict[str, Engine] = {
    engine.name: engine
    for engine in (
        Engine("properdocs", "properdocs", "ProperDocs"),
        Engine("mkdocs", "mkdocs", "MkDocs"),
        Engine("zensical", "zensical", "Zensical"),
    )
}
"""The engines the site builds with, by the name the configuration gives them."""


def versions(name: str) -> str:
    """The installed versions of an engine and of the theme: a new one may build pages anew."""
    found = []
    for package in (name, "mkdocs-material", "pagefind", "pagefind-bin"):
        try:
            found.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{package} missing")
    return "; ".join(found)


def get_engine(name: str, config_file: Path) -> Engine:
    """The engine called ``name``; a BuildError naming the setting and the choices if unknown."""
    try:
        return ENGINES[name]
    except KeyError:
        choices = ", ".join(ENGINES)
        raise BuildError(
            f"{config_file.name}: extra.briefings.engine: unknown engine {name!r}; "
            f"use one of {choices}"
        ) from None


def build(engine: Engine, config_file: Path, site_dir: Path, *, strict: bool = True) -> None:
    """Build the site of ``config_file`` into ``site_dir``; raise BuildError with the reasons."""
    site_dir = site_dir.resolve()
    if engine.name == "zensical":
        with _zensical_config(config_file, site_dir) as derived:
            _run(engine, engine.command(derived, site_dir, strict=strict), config_file.parent)
    else:
        _run(engine, engine.command(config_file, site_dir, strict=strict), config_file.parent)


def _run(engine: Engine, command: list[str], cwd: Path) -> None:
    """Run one engine command; on failure, raise BuildError with what the engine said."""
    env = {**os.environ, "NO_COLOR": "1", "NO_MKDOCS_2_WARNING": "1"}
    log.debug("running %s", " ".join(command))
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, check=False,
        )  # fmt: skip
    except OSError as exc:
        raise BuildError(f"{engine.label} could not start: {exc}") from exc
    output = _plain(done.stdout)
    if done.returncode == 0:
        log.debug("%s: %s", engine.label, output)
        return
    if f"No module named {engine.module}" in output:
        raise BuildError(
            f"{engine.label} is not installed; install it with "
            f"'pip install {engine.module}', or choose another extra.briefings.engine"
        )
    details = "".join(f"\n  {line}" for line in reasons(output))
    raise BuildError(f"{engine.label} could not build the site:{details}")


@contextmanager
def _zensical_config(config_file: Path, site_dir: Path) -> Iterator[Path]:
    """A configuration file for Zensical that inherits ours and sets ``site_dir``.

    Zensical's ``build`` has no option for the output folder, and accepts only
    one inside the project, beside the configuration file it reads.
    """
    root = config_file.parent.resolve()
    if not site_dir.is_relative_to(root):
        raise BuildError(
            f"Zensical builds only into a folder inside the project ({root}), not into {site_dir}"
        )
    handle, name = tempfile.mkstemp(prefix=".zensical-", suffix=".yml", dir=root)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            # JSON strings are valid YAML scalars, whatever the path holds.
            stream.write(f"INHERIT: {json.dumps(config_file.name)}\n")
            stream.write(f"site_dir: {json.dumps(str(site_dir))}\n")
        yield path
    finally:
        path.unlink(missing_ok=True)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ZENSICAL_ISSUE = re.compile(
    r"^(?:Warning|Error): (?P<what>.+)\n[\s│]*╭─+\[ (?P<where>[^\]]+) \]", re.M
)
_NOISE = re.compile(
    r"^(?:INFO|DEBUG)\b|^Build (?:started|finished)|^\d+ issues? found|^No issues found"
)


def _plain(text: str) -> str:
    return _ANSI.sub("", text)


def reasons(output: str) -> list[str]:
    """The lines of an engine's output that say why it failed, without logs or tracebacks.

    Zensical draws each issue as a box around the offending source line; it is
    reduced to ``file:line:col: what``.
    """
    found = [f"{m['where']}: {m['what']}" for m in _ZENSICAL_ISSUE.finditer(output)]
    if found:
        found += [
            line for line in output.splitlines() if line.startswith(("RuntimeError", "Error"))
        ]
        return [line for line in found if "Aborted because --strict" not in line] or found
    lines: list[str] = []
    in_traceback = False
    for line in output.splitlines():
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
            continue
        if in_traceback and (line.startswith(" ") or not line.strip()):
            continue
        in_traceback = False
        if line.strip() and not _NOISE.match(line):
            lines.append(line.strip())
    return lines
