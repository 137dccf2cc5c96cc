"""Long lists pickled a share at a time, for the files a run keeps beside its output.

Pickling keeps a table of every object it wrote until the dump is done, so one
dump of a large list takes memory in proportion to all of it: written whole at
10,000 briefs, the check cache took 90 MB more for a moment, the peak of a cold
run. Written as a count and then shares, only one share's table lives at a time.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from typing import IO, Any


def dump_shares(items: Sequence[Any], stream: IO[bytes], size: int) -> None:
    """Pickle ``items`` to ``stream``: how many shares, then each share of ``size`` as a list."""
    starts = range(0, len(items), size)
    pickle.dump(len(starts), stream, pickle.HIGHEST_PROTOCOL)
    for start in starts:
        pickle.dump(list(items[start : start + size]), stream, pickle.HIGHEST_PROTOCOL)


def load_shares(stream: IO[bytes]) -> Iterator[list[Any]]:
    """The shares :func:`dump_shares` wrote, one list at a time: only trusted files of our own."""
    for _ in range(pickle.load(stream)):
        yield pickle.load(stream)
