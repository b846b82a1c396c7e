"""The wire format: plain data round-trips, anything else arrives as an Opaque marker, nothing executes."""

import numpy as np
import pytest

from gradelab.grading.wire import ConvertedArray, Opaque, WireError, decode, encode


def test_plain_data_round_trips_with_types_and_shapes():
    value = {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros((2, 1)), 3: (1, 2.5, None, "s", True),
             "list": [np.int64(4), np.float32(1.5), np.array(7.0), np.array([True, False])]}
    back = decode(encode(value))
    assert back.keys() == value.keys()
    np.testing.assert_array_equal(back["W1"], value["W1"])
    assert back["W1"].dtype == np.float64 and back["b1"].shape == (2, 1)
    assert back[3] == (1, 2.5, None, "s", True) and isinstance(back[3], tuple)
    assert back["list"][0] == 4 and back["list"][0].dtype == np.int64
    assert back["list"][1].dtype == np.float32
    assert back["list"][2].shape == () and back["list"][3].dtype == bool


def test_non_finite_floats_and_fortran_order_arrays():
    back = decode(encode([float("nan"), float("inf"), np.asfortranarray(np.arange(6.0).reshape(2, 3))]))
    assert np.isnan(back[0]) and back[1] == float("inf")
    np.testing.assert_array_equal(back[2], np.arange(6.0).reshape(2, 3))


class AlwaysEqual:
    def __eq__(self, other):
        return True


class LiesAboutItsClass:
    @property
    def __class__(self):
        return np.ndarray


def test_objects_that_are_not_plain_data_arrive_as_opaque():
    back = decode(encode([AlwaysEqual(), LiesAboutItsClass(), np.array([object()]), lambda: 1, {(1, 2): 3}]))
    assert [type(item) for item in back] == [Opaque] * 5
    assert back[0].type_name == "AlwaysEqual" and back[1].type_name == "LiesAboutItsClass"
    assert back[0] != np.zeros(1).tolist()


def test_array_subclasses_are_converted_and_named():
    back = decode(encode(np.ma.masked_array([1.0, 2.0])))
    assert isinstance(back, ConvertedArray) and back.original_type == "MaskedArray"
    np.testing.assert_array_equal(np.asarray(back), [1.0, 2.0])


def test_size_limit_and_malformed_messages_raise_wire_errors():
    with pytest.raises(WireError, match="limit of 1000 bytes"):
        encode(np.zeros(1000), max_bytes=1000)
    with pytest.raises(WireError):
        decode(b"\x05\x00\x00\x00\x00\x00\x00\x00{bad")
    good = encode(np.zeros(3))
    with pytest.raises(WireError):
        decode(good[:-8])
