"""The engine the preview keeps warm: the one module that touches its private parts.

``briefings build`` runs an engine through its command line (:mod:`generator.engine`).
The preview cannot: to show a save in well under a second it keeps ProperDocs
(or MkDocs 1.6, the same code) in the process and re-renders single pages with
the engine's own page steps, which are private, as are the live-reload server's
rebuild flag. Every such use is here, and
:func:`load` checks each name and signature against :data:`PRIVATE_API` before
the preview starts, so an engine upgrade that changes them fails at once, with
a message, instead of misbehaving (``tests/test_serve.py`` pins them too).

Zensical has no such API; with ``engine: zensical`` the preview uses ProperDocs.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import sys
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

LIVE_ENGINES = ("properdocs", "mkdocs")
"""Engines the preview can keep warm, in order of preference."""

PRIVATE_API: dict[str, list[str]] = {
    "commands.build._populate_page": ["page", "config", "files", "dirty"],
    "commands.build._build_page": [
        "page", "config", "doc_files", "nav", "env", "dirty", "excluded",
    ],
}  # fmt: skip
"""Private functions used, by module path under the engine's package: their parameters."""

PRIVATE_SERVER_STATE = ("_rebuild_cond", "_want_rebuild")
"""The live-reload server's rebuild flag and the condition that guards it."""


class EngineChanged(RuntimeError):
    """The installed engine no longer has the private API the preview relies on."""


@dataclass(frozen=True)
class Live:
    """The parts of one engine the preview uses, imported from that engine's package."""

    name: str
    label: str
    load_config: Any
    build: Any
    server_class: Any
    plugin_class: Any
    file_class: Any
    populate_page: Any
    build_page: Any


def preview_engine(configured: str) -> str:
    """The engine the preview runs: the configured one when it can, else the first installed."""
    if configured in LIVE_ENGINES:
        return configured
    for name in LIVE_ENGINES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise EngineChanged("the preview needs ProperDocs or MkDocs 1.6; install properdocs")


def load(name: str) -> Live:
    """Import engine ``name`` for the preview and check the private API it must still have."""
    _isolate(name)
    build_module = importlib.import_module(f"{name}.commands.build")
    live = Live(
        name=name,
        label={"properdocs": "ProperDocs", "mkdocs": "MkDocs"}[name],
        load_config=importlib.import_module(f"{name}.config").load_config,
        build=build_module.build,
        server_class=importlib.import_module(f"{name}.livereload").LiveReloadServer,
        plugin_class=importlib.import_module(f"{name}.plugins").BasePlugin,
        file_class=importlib.import_module(f"{name}.structure.files").File,
        populate_page=getattr(build_module, "_populate_page", None),
        build_page=getattr(build_module, "_build_page", None),
    )
    check(name)
    return live


def _isolate(name: str) -> None:
    """Make sure one process loads one engine.

    ProperDocs serves ``mkdocs.*`` imports (Material's) from its own modules
    once ``properdocs.replacement`` is imported, which must happen before
    anything imports MkDocs; after it, MkDocs itself cannot be loaded.
    """
    loaded = sys.modules.get("mkdocs")
    aliased = loaded is not None and loaded is sys.modules.get("properdocs")
    if name == "properdocs":
        if loaded is not None and not aliased:
            raise EngineChanged("MkDocs is already loaded in this process; ProperDocs cannot be")
        importlib.import_module("properdocs.replacement")
    elif aliased:
        raise EngineChanged("ProperDocs is already loaded in this process; MkDocs cannot be")


def check(name: str) -> None:
    """Raise EngineChanged unless engine ``name`` has each private function, as pinned."""
    problems = []
    for path, expected in PRIVATE_API.items():
        module_path, _, attr = path.rpartition(".")
        found = getattr(importlib.import_module(f"{name}.{module_path}"), attr, None)
        if found is None:
            problems.append(f"{name}.{path} is gone")
            continue
        params = list(inspect.signature(found).parameters)
        if params != expected:
            problems.append(
                f"{name}.{path} takes ({', '.join(params)}), not ({', '.join(expected)})"
            )
    server = importlib.import_module(f"{name}.livereload").LiveReloadServer
    source = inspect.getsource(server.__init__)
    problems += [
        f"{name}.livereload.LiveReloadServer has no {attr}"
        for attr in PRIVATE_SERVER_STATE
        if f"self.{attr}" not in source
    ]
    if problems:
        raise EngineChanged(
            "the preview's warm rebuilds need parts of the engine that changed: "
            + "; ".join(problems)
            + "; install the engine version this preview was checked with"
        )


def render_page(live: Live, page: Any, config: Any, files: Any, nav: Any, env: Any) -> None:
    """Read and render one page with the engine's own steps, plugins included."""
    live.populate_page(page, config, files)
    live.build_page(page, config, files.documentation_pages(), nav, env)


def saved_again(server: Any) -> bool:
    """Whether a watched file changed since the server started this build (read under its lock)."""
    with server._rebuild_cond:
        return bool(server._want_rebuild)


def rebuild_soon(server: Any) -> None:
    """Ask the server for another build once this one is served, as a file change does."""
    with server._rebuild_cond:
        server._want_rebuild = True
        server._rebuild_cond.notify_all()
