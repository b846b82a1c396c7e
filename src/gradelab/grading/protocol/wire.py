"""The data format that crosses the process boundary: plain data only, and nothing executes when it is read.

A message is a JSON header followed by the raw bytes of its arrays. The header
describes a tree of None, bool, int, float, str, list, tuple, dict and numeric
ndarrays; any other object is sent as an :class:`Opaque` marker naming its
type, so the grader can say "returned a Foo, expected an array" without ever
rebuilding the object. Decoding uses ``json.loads`` and ``np.frombuffer`` with
an allow-list of dtypes: never pickle, which runs code while it loads.

The worker's replies are written by code the grader does not trust, so :func:`decode` treats every
frame as hostile: any frame :func:`encode` could not have written (wrong types, deep nesting, bad
buffer indices, absurd counts, trailing bytes) raises :class:`WireError` and nothing else, and a frame
is refused before it can grow into more than :data:`MAX_NODES` values or :data:`MAX_ELEMENTS` array
elements. :func:`encode` applies the same caps, so what one side sends the other accepts.
"""

from __future__ import annotations

import array
import importlib
import json
import math
import re
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: dtypes an array may have on the wire; object, void and string arrays never cross.
ALLOWED_DTYPES = frozenset(
    np.dtype(name).str for name in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                                    "float16", "float32", "float64", "complex64", "complex128")
)
MAX_DEPTH = 32
#: Caps on what one frame may decode into, checked before it is built (decode) and before it is sent (encode).
#: A million JSON values (containers, numbers, strings, keys): far above any honest message, since an array
#: crosses as one value (a recorded assignment holds under 10 000), and at most about 72 MiB to decode (a
#: million empty lists, measured; strings add at most the frame's own bytes).
MAX_NODES = 1_000_000
#: Elements of all the arrays of one frame; each buffer is copied at most once, so arrays never hold more
#: bytes than the frame did. 2**26 elements is 512 MiB of float64, twice the default byte limit.
MAX_ELEMENTS = 2**26
#: NumPy 2's limit on an array's dimensions (NumPy 1.x refuses more than 32 when it reshapes).
MAX_DIMS = 64
#: The fixed global random state every call starts from, in the worker and for the grader's reference alike.
GLOBAL_SEED = 1

_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # a JSON string, escapes and all


class WireError(ValueError):
    """A message that is not well-formed plain data, or larger than allowed."""


@dataclass(frozen=True)
class Opaque:
    """Stands for an object that is not plain data; only its type name and a short repr cross."""

    type_name: str
    text: str = ""

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


@dataclass(frozen=True)
class Ref:
    """A function of a student-facing module, sent by name, since a function cannot cross as data.

    ``Ref("gradelab.student.keras_lab", "sigmoid")`` in a case's inputs reaches the student's
    function as that very function (the worker resolves it, only within the assignment's student modules);
    ``Exercise.output_adapter`` names the function the worker applies to a return value that is not plain data.
    """

    module: str
    name: str

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


class ConvertedArray(np.ndarray):
    """A plain array that arrived from an ndarray subclass; ``original_type`` names that subclass."""

    original_type: str = ""

    def __new__(cls, array: np.ndarray, original_type: str) -> ConvertedArray:
        result = np.asarray(array).view(cls)
        result.original_type = original_type
        return result


class _Budget:
    """What an encoding may still use: checked before an array is copied, so a 10 GB return is never copied."""

    def __init__(self, limit: int, max_elements: int = MAX_ELEMENTS) -> None:
        self.limit = self.left = limit
        self.max_elements = self.elements_left = max_elements

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise WireError(f"more than the limit of {_size_text(self.limit)}")

    def spend_elements(self, count: int) -> None:
        self.elements_left -= count
        if self.elements_left < 0:
            raise WireError(f"more than the limit of {self.max_elements} array elements")


def _size_text(size: int) -> str:
    return f"{size / 2**20:.3g} MiB" if size >= 2**20 else f"{size} bytes"


def _describe(value: Any, buffers: list[bytes], depth: int, budget: _Budget | None = None) -> Any:
    # type(), not isinstance(): an object can lie about its __class__, but not about its type.
    kind = type(value)
    if depth > MAX_DEPTH:
        return {"~": "opaque", "type": "nested too deep", "text": ""}
    if value is None or kind is bool:
        return value
    if kind is str:
        if budget is not None:
            budget.spend(len(value))
        return _valid_text(value)
    if kind is int:
        return value if abs(value) < 2**63 else {"~": "opaque", "type": "int (too large)", "text": ""}
    if kind is float:
        return value if math.isfinite(value) else {"~": "float", "v": repr(value)}
    if issubclass(kind, np.generic) and np.dtype(value.dtype).str in ALLOWED_DTYPES:
        # The same depth as the scalar: a scalar is not a container, and its array must never become opaque.
        return {"~": "scalar", "a": _describe(np.asarray(value), buffers, depth, budget)}
    if issubclass(kind, np.ndarray) and np.ndarray.__getattribute__(value, "dtype").str in ALLOWED_DTYPES:
        return _describe_array(value, kind, buffers, budget)
    if kind is Ref:
        return {"~": "ref", "module": value.module, "name": value.name}
    if kind in (list, tuple, dict) and budget is not None:
        budget.spend(8 * len(value))
    if kind in (list, tuple):
        items = [_describe(item, buffers, depth + 1, budget) for item in value]
        return items if kind is list else {"~": "tuple", "items": items}
    if kind is dict and all(type(key) is int or (type(key) is str and _is_text(key)) for key in value):
        return {"~": "dict", "items": [[key, _describe(item, buffers, depth + 1, budget)] for key, item in dict.items(value)]}
    return {"~": "opaque", "type": kind.__name__, "text": _safe_repr(value)}


def _describe_array(value: np.ndarray, kind: type, buffers: list[bytes], budget: _Budget | None) -> dict:
    # A subclass crosses as a plain array; "sub" lets the grader say it was converted.
    if budget is not None:
        budget.spend(8 + int(np.ndarray.__getattribute__(value, "nbytes")))
        budget.spend_elements(int(np.ndarray.__getattribute__(value, "size")))
    array = np.array(value, copy=True, order="C", subok=False)
    buffers.append(array.tobytes())
    return {"~": "nd", "dtype": array.dtype.str, "shape": list(array.shape), "buf": len(buffers) - 1,
            "sub": kind.__name__ if kind is not np.ndarray else None}


def _is_text(value: str) -> bool:
    """Whether ``value`` is Unicode text that UTF-8 can hold: a lone surrogate ("\\ud800") is not."""
    return value.isascii() or not _SURROGATE.search(value)


def _valid_text(value: str) -> str:
    # A lone surrogate would make the grader's report fail to print or save: it crosses as U+FFFD.
    return value if _is_text(value) else _SURROGATE.sub("\ufffd", value)


def _safe_repr(value: Any) -> str:
    """A short repr, without trusting the object's own ``__repr__`` to behave."""
    try:
        text = object.__repr__(value)
    except Exception:  # noqa: BLE001 - any failure just means no text
        text = ""
    return text[:120]


def encode(value: Any, max_bytes: int = 256 * 2**20, max_nodes: int = MAX_NODES, max_elements: int = MAX_ELEMENTS) -> bytes:
    """Serialize plain data; raise :class:`WireError` past ``max_bytes``, ``max_nodes`` or ``max_elements``.

    The caps are :func:`decode`'s: a value this function accepts is one the other side accepts.
    """
    buffers: list[bytes] = []
    budget = _Budget(max_bytes, max_elements)
    header = json.dumps(_describe(value, buffers, 0, budget), allow_nan=False)
    if _header_values(header, max_nodes) > max_nodes:
        raise WireError(f"more than the limit of {max_nodes} values")
    encoded = header.encode()
    size = 8 + len(encoded) + sum(8 + len(buffer) for buffer in buffers)
    if size > max_bytes:
        raise WireError(f"{_size_text(size)}, more than the limit of {_size_text(max_bytes)}")
    parts = [struct.pack("<II", len(encoded), len(buffers)), encoded]
    for buffer in buffers:
        parts.append(struct.pack("<Q", len(buffer)))
        parts.append(buffer)
    return b"".join(parts)


def _header_values(text: str, limit: int = MAX_NODES) -> int:
    """An upper bound on the JSON values and keys in ``text``, exact enough to compare with ``limit``.

    Each value or key but the first follows exactly one of ``[ { , :``, and each of those marks precedes one,
    except the opening of an empty ``[]`` or ``{}``: counting marks costs a few passes in C, before
    ``json.loads`` builds anything. Marks inside strings only raise the count, so only when it passes
    ``limit`` are the strings taken out and the marks counted again.
    """
    bound = _marks(text)
    return bound if bound <= limit else _marks(_STRING.sub('""', text))


def _marks(text: str) -> int:
    return 1 + sum(text.count(mark) for mark in "[{,:") - text.count("[]") - text.count("{}")


def decode(data: bytes | bytearray | memoryview, max_nodes: int = MAX_NODES, max_elements: int = MAX_ELEMENTS) -> Any:
    """Rebuild plain data from :func:`encode`'s bytes; only arrays, scalars and containers come back.

    A frame :func:`encode` could not have written raises :class:`WireError`, and nothing else does. The caps
    are checked before anything is built: the header's values (``max_nodes``) before ``json.loads``, each
    array's elements (``max_elements`` for the frame) before it is copied, and every buffer is copied at most once.
    """
    try:
        view = memoryview(data).cast("B")
        text, spans = _split(view, max_nodes)
        if _header_values(text, max_nodes) > max_nodes:
            raise WireError(f"a header of more than {max_nodes} values")
        tree = _parse(text)
        rebuilder = _Rebuilder(view, spans, max_elements)
        value = rebuilder.rebuild(tree, 0)
        rebuilder.check_all_used()
        return value
    except WireError:
        raise
    except RecursionError:  # json.loads of a header nested thousands deep: its C parser stops at the recursion limit
        raise WireError("a header nested too deeply for the JSON parser") from None
    except Exception as error:  # noqa: BLE001 - a frame the checks missed is still only a malformed frame
        raise WireError(f"malformed message: {type(error).__name__}: {str(error)[:200]}") from None


def _split(view: memoryview, max_nodes: int) -> tuple[str, array.array]:
    """The header's text and each buffer's offset and size, the framing checked against the frame's length."""
    if len(view) < 8:
        raise WireError(f"truncated message: {len(view)} bytes, fewer than the 8 of its framing")
    header_size, count = struct.unpack_from("<II", view, 0)
    offset = 8 + header_size
    if offset > len(view):
        raise WireError(f"truncated message: a header of {header_size} bytes in a message of {len(view)}")
    # Each buffer takes 8 bytes at least and is named by one array: a count past either is a lie.
    if count > min(max_nodes, (len(view) - offset) // 8):
        raise WireError(f"a count of {count} buffers that the message cannot hold")
    spans = array.array("Q")  # offset and size of each buffer: 16 bytes a buffer, not a memoryview object
    for _ in range(count):
        if offset + 8 > len(view):
            raise WireError(f"truncated message: {count} buffers announced, the message ends before them")
        (size,) = struct.unpack_from("<Q", view, offset)
        if size > len(view) - offset - 8:
            raise WireError(f"truncated message: a buffer of {size} bytes where {len(view) - offset - 8} are left")
        spans.extend((offset + 8, size))
        offset += 8 + size
    if offset != len(view):
        raise WireError(f"{len(view) - offset} bytes of trailing garbage after the last buffer")
    try:
        return str(view[8 : 8 + header_size], "utf-8"), spans
    except UnicodeDecodeError as error:
        raise WireError(f"the header is not UTF-8 text: {error}") from None


def _parse(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except WireError:
        raise
    except ValueError as error:  # not JSON, or an integer of thousands of digits
        raise WireError(f"the header is not JSON: {str(error)[:200]}") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise WireError("a header object with a key given twice")
    return result


def _no_constant(name: str) -> Any:
    raise WireError(f"{name} is not JSON (non-finite floats cross as markers)")


#: The keys of each marker object: required, then optional. Any other key makes the frame malformed.
_MARKERS: dict[str, tuple[frozenset, frozenset]] = {
    "nd": (frozenset({"~", "dtype", "shape", "buf"}), frozenset({"sub"})),
    "scalar": (frozenset({"~", "a"}), frozenset()),
    "float": (frozenset({"~", "v"}), frozenset()),
    "tuple": (frozenset({"~", "items"}), frozenset()),
    "dict": (frozenset({"~", "items"}), frozenset()),
    "ref": (frozenset({"~", "module", "name"}), frozenset()),
    "opaque": (frozenset({"~", "type"}), frozenset({"text"})),
}
_NON_FINITE = frozenset({"nan", "inf", "-inf"})


class _Rebuilder:
    """Turns a parsed header into values, checking every field's type: one per frame."""

    def __init__(self, view: memoryview, spans: array.array, max_elements: int) -> None:
        self.view, self.spans = view, spans
        self.used = bytearray(len(spans) // 2)  # an array per buffer, at most: a shared buffer would be copied again
        self.max_elements = self.elements_left = max_elements

    def rebuild(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH + 1:  # encode makes anything deeper an Opaque marker
            raise WireError(f"nested more than {MAX_DEPTH} deep")
        kind = type(node)
        if kind is list:
            for index, item in enumerate(node):  # in place: the parsed list becomes the value, never copied
                node[index] = self.rebuild(item, depth + 1)
            return node
        if kind is dict:
            return self._marker(node, depth)
        if kind is str:
            return _text(node, "a string")
        if kind is int:
            return _int(node)
        return node  # None, a bool or a finite float: all json.loads makes besides the above

    def _marker(self, node: dict, depth: int) -> Any:
        kind = node.get("~")
        fields = _MARKERS.get(kind) if type(kind) is str else None
        if fields is None:
            raise WireError(f"unknown node kind {str(kind)[:40]!r}")
        required, optional = fields
        if not required <= node.keys() <= required | optional:
            raise WireError(f"a {kind!r} node with the keys {sorted(node)[:8]}, not {sorted(required)}")
        if kind == "nd":
            return self._array(node)
        if kind == "scalar":
            return self._scalar(node["a"])
        if kind == "float":
            if type(node["v"]) is not str or node["v"] not in _NON_FINITE:
                raise WireError("a float marker for a value that is not nan or an infinity")
            return float(node["v"])
        if kind == "tuple":
            return tuple(self._items(node["items"], depth))
        if kind == "dict":
            return self._dict(node["items"], depth)
        if kind == "ref":
            return Ref(_text(node["module"], "a ref's module"), _text(node["name"], "a ref's name"))
        return Opaque(_text(node["type"], "an opaque's type"), _text(node.get("text", ""), "an opaque's text"))

    def _items(self, items: Any, depth: int) -> list:
        if type(items) is not list:
            raise WireError(f"a container's items are a {type(items).__name__}, not a list")
        return self.rebuild(items, depth)

    def _dict(self, items: Any, depth: int) -> dict:
        if type(items) is not list:
            raise WireError(f"a dict's items are a {type(items).__name__}, not a list")
        result = {}
        for pair in items:
            if type(pair) is not list or len(pair) != 2:
                raise WireError("a dict's item that is not a [key, value] pair")
            key = _text(pair[0], "a dict key") if type(pair[0]) is str else _int(pair[0], "a dict key")
            if key in result:
                raise WireError(f"a dict with the key {str(key)[:40]!r} twice")
            result[key] = self.rebuild(pair[1], depth + 1)
        return result

    def _scalar(self, node: Any) -> Any:
        if type(node) is not dict or node.get("~") != "nd" or node.get("shape") != []:
            raise WireError("a scalar marker that does not hold a 0-d array")
        return self._marker(node, 0)[()]

    def _array(self, node: dict) -> np.ndarray:
        dtype, shape, index, sub = node["dtype"], node["shape"], node["buf"], node.get("sub")
        if type(dtype) is not str or dtype not in ALLOWED_DTYPES:
            raise WireError(f"array dtype {str(dtype)[:40]!r} is not allowed on the wire")
        if type(shape) is not list or len(shape) > MAX_DIMS or not all(type(n) is int and n >= 0 for n in shape):
            raise WireError(f"an array shape that is not a list of at most {MAX_DIMS} counts")
        if sub is not None:
            _text(sub, "an array's subclass name")
        start, size = self._take_buffer(index)
        itemsize = np.dtype(dtype).itemsize
        count = math.prod(shape)
        if size != count * itemsize:
            raise WireError(f"array of shape {tuple(shape)} does not match its buffer of {size} bytes")
        self.elements_left -= count
        if self.elements_left < 0:
            raise WireError(f"more than the limit of {self.max_elements} array elements")
        try:  # a shape with a zero and huge other counts is refused by NumPy, not built
            values = np.frombuffer(self.view[start : start + size], dtype=np.dtype(dtype)).reshape(shape).copy()
        except ValueError as error:
            raise WireError(f"array of shape {tuple(shape)}: {error}") from None
        return ConvertedArray(values, sub) if sub else values

    def _take_buffer(self, index: Any) -> tuple[int, int]:
        if type(index) is not int or not 0 <= index < len(self.used):
            raise WireError(f"a buffer index {str(index)[:40]!r} out of range (the message has {len(self.used)})")
        if self.used[index]:
            raise WireError(f"two arrays name buffer {index}")
        self.used[index] = 1
        return self.spans[2 * index], self.spans[2 * index + 1]

    def check_all_used(self) -> None:
        if self.used.count(0):
            raise WireError(f"{self.used.count(0)} buffers that no array names")


def _text(value: Any, what: str) -> str:
    if type(value) is not str:
        raise WireError(f"{what} that is a {type(value).__name__}, not a string")
    if not _is_text(value):
        raise WireError(f"{what} with a lone surrogate, which is not Unicode text")
    return value


def _int(value: Any, what: str = "a number") -> int:
    if type(value) is not int or not -(2**63) < value < 2**63:
        raise WireError(f"{what} that is not an integer of at most 63 bits")
    return value


def resolve_refs(tree: Any, modules: Sequence[str] | None) -> Any:
    """``tree`` with every :class:`Ref` replaced by the function it names (imports happen here, never in decode).

    ``modules``: the modules a Ref may name (the worker passes the assignment's student modules, the grader
    passes them for what came from the worker); None only for the grader's own declarations.
    """
    if type(tree) is Ref:
        return _resolve(tree, modules)
    if type(tree) in (list, tuple):
        return type(tree)(resolve_refs(item, modules) for item in tree)
    if type(tree) is dict:
        return {key: resolve_refs(item, modules) for key, item in tree.items()}
    return tree


def _resolve(ref: Ref, modules: Sequence[str] | None) -> Any:
    if modules is not None and ref.module not in modules:
        raise LookupError(f"{ref} is not in a student-facing module ({', '.join(modules) or 'none listed'})")
    if ref.name.startswith("_") or not ref.name.isidentifier():
        raise LookupError(f"{ref}: only public functions can be named")
    function = getattr(sys.modules.get(ref.module) or importlib.import_module(ref.module), ref.name, None)
    if not callable(function):
        raise LookupError(f"{ref} is not a function")
    return function


def refs_for(tree: Any, modules: Sequence[str]) -> Any:
    """The reverse of :func:`resolve_refs`: functions of ``modules`` (by identity) replaced by Refs naming them.

    Lets a student's code hand such a function on to a graded function the grader answers (a stand-in).
    """
    loaded = [(module, sys.modules[module]) for module in modules if module in sys.modules]
    named = {id(value): Ref(module, name) for module, loaded_module in loaded for name, value in vars(loaded_module).items()
             if callable(value) and not name.startswith("_")}
    return _swap(tree, named) if named else tree


def _swap(tree: Any, named: dict[int, Ref]) -> Any:
    if type(tree) in (list, tuple):
        return type(tree)(_swap(item, named) for item in tree)
    if type(tree) is dict:
        return {key: _swap(item, named) for key, item in tree.items()}
    return named.get(id(tree), tree) if callable(tree) else tree
