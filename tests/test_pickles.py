"""Long lists pickled a share at a time: one share's pickling table alive, the list read back whole."""

from __future__ import annotations

import io
import pickle

import pytest

from generator import pickles


@pytest.mark.parametrize(
    ("count", "size", "lengths"), [(7, 3, [3, 3, 1]), (6, 3, [3, 3]), (0, 3, [])]
)
def test_a_list_is_written_as_a_count_and_shares_and_read_back_in_order(count, size, lengths):
    items = [("brief", f"b{n}", {"n": n}) for n in range(count)]
    stream = io.BytesIO()
    pickles.dump_shares(items, stream, size)
    stream.write(b"what follows")
    stream.seek(0)
    raw = [pickle.load(stream) for _ in range(pickle.load(stream))]
    assert [len(share) for share in raw] == lengths
    stream.seek(0)
    assert [item for share in pickles.load_shares(stream) for item in share] == items
    assert stream.read() == b"what follows"  # the next column starts where the shares end


def test_an_object_repeated_across_shares_is_pickled_once_per_share():
    """The pickler's memo lives for one share: that is what bounds its memory."""
    shared = "x" * 1000
    stream = io.BytesIO()
    pickles.dump_shares([shared] * 4, stream, 2)
    assert 2000 < len(stream.getvalue()) < 3000  # two copies, not four, not one


def test_a_file_cut_short_raises_rather_than_reading_part_of_the_list():
    stream = io.BytesIO()
    pickles.dump_shares(list(range(10)), stream, 3)
    cut = io.BytesIO(stream.getvalue()[:-5])
    with pytest.raises((EOFError, pickle.UnpicklingError)):
        list(pickles.load_shares(cut))


def test_fast_state_reads_what_the_dataclass_pickled_and_keeps_every_field():
    import dataclasses

    from generator import models, reads

    date = models.PartialDate(2025, 3, None)
    event = models.EventRecord(
        **dict.fromkeys(models.EventRecord.model_fields),
        model_fields_set={"what"},
    )
    reads.keep_digest(event)
    for value in (date, event):
        again = pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        assert again == value
        assert [getattr(again, f.name) for f in dataclasses.fields(value)] == [
            getattr(value, f.name) for f in dataclasses.fields(value)
        ]
        kept = dataclasses._dataclass_getstate(value)  # what the dataclass itself pickled
        made = object.__new__(type(value))
        made.__setstate__(kept)
        assert made == value and made.__getstate__() == kept
    assert getattr(again, reads.KEPT) == getattr(event, reads.KEPT) is not None
