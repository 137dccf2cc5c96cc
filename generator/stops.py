"""Long steps that give way when their caller asks: the preview's next save.

The preview's second step rebuilds the index, the plan and the digests of the
graph's keys: 9 to 14 s at 10,000 briefs, all of it before anything is written.
A save made meanwhile showed only once that step was done. So those steps look
for a reason to stop between their items (:func:`checked`, :func:`checkpoint`):
inside :func:`stoppable`, they raise :class:`Stopped` as soon as its predicate
turns true, and the caller throws away what they made. They build new objects
only, so nothing is left half-changed. Outside :func:`stoppable`, as in every
build, a look costs one context-variable read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

LOOK_EVERY = 200
"""Items between two looks: at 10,000 briefs, a few milliseconds of the slowest step."""

_stop: ContextVar[Callable[[], bool] | None] = ContextVar("stop", default=None)


class Stopped(Exception):
    """The caller's predicate turned true: what the step made is to be thrown away."""


@contextmanager
def stoppable(stop: Callable[[], bool]) -> Iterator[None]:
    """Run the block so that its steps raise :class:`Stopped` once ``stop()`` is true."""
    token = _stop.set(stop)
    try:
        yield
    finally:
        _stop.reset(token)


def checkpoint() -> None:
    """Raise :class:`Stopped` if the caller of :func:`stoppable` asks to stop."""
    stop = _stop.get()
    if stop is not None and stop():
        raise Stopped


def checked(items: Iterable[T], every: int = LOOK_EVERY) -> Iterator[T]:
    """``items``, with a look (:func:`checkpoint`) before the first and every ``every``-th."""
    if _stop.get() is None:
        yield from items
        return
    for number, item in enumerate(items):
        if number % every == 0:
            checkpoint()
        yield item
