"""Long steps give way when their caller asks, and only then."""

from __future__ import annotations

import pytest

from generator import stops


def test_outside_a_stoppable_block_nothing_is_looked_for():
    asked: list[int] = []
    with stops.stoppable(lambda: bool(asked.append(1))):
        pass
    stops.checkpoint()
    assert list(stops.checked(range(1000))) == list(range(1000))
    assert asked == []


def test_a_step_looks_before_its_first_item_and_every_few_after():
    asked: list[int] = []
    with stops.stoppable(lambda: bool(asked.append(1))):
        assert list(stops.checked(range(10), every=4)) == list(range(10))
    assert len(asked) == 3  # before items 0, 4 and 8


def test_a_step_stops_at_the_first_look_after_the_caller_asks():
    taken: list[int] = []
    with stops.stoppable(lambda: len(taken) >= 5), pytest.raises(stops.Stopped):
        taken.extend(stops.checked(range(100), every=2))
    assert taken == [0, 1, 2, 3, 4, 5]  # asked at 6: items 4 and 5 were under way


def test_the_block_ends_its_predicate_even_when_stopped():
    with pytest.raises(stops.Stopped), stops.stoppable(lambda: True):
        stops.checkpoint()
    stops.checkpoint()  # no predicate left behind
