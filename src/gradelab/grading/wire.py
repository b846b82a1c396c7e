"""The data format that crosses the process boundary: plain data only, and nothing executes when it is read.

A message is a JSON header followed by the raw bytes of its arrays. The header
describes a tree of None, bool, int, float, str, list, tuple, dict and numeric
ndarrays; any other object is sent as an :class:`Opaque` marker naming its
type, so the grader can say "returned a Foo, expected an array" without ever
rebuilding the object. Decoding uses ``json.loads`` and ``np.frombuffer`` with
an allow-list of dtypes: never pickle, which runs code while it loads.
"""

from __future__ import annotations

import importlib
import json
import math
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
#: The fixed global random state every call starts from, in the worker and for the grader's reference alike.
GLOBAL_SEED = 1


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
    """Bytes an encoding may still use: checked before an array is copied, so a 10 GB return is never copied."""

    def __init__(self, limit: int) -> None:
        self.limit = self.left = limit

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise WireError(f"more than the limit of {_size_text(self.limit)}")


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
        return value
    if kind is int:
        return value if abs(value) < 2**63 else {"~": "opaque", "type": "int (too large)", "text": ""}
    if kind is float:
        return value if math.isfinite(value) else {"~": "float", "v": repr(value)}
    if issubclass(kind, np.generic) and np.dtype(value.dtype).str in ALLOWED_DTYPES:
        return {"~": "scalar", "a": _describe(np.asarray(value), buffers, depth + 1, budget)}
    if issubclass(kind, np.ndarray) and np.ndarray.__getattribute__(value, "dtype").str in ALLOWED_DTYPES:
        # A subclass crosses as a plain array; "sub" lets the grader say it was converted.
        if budget is not None:
            budget.spend(8 + int(np.ndarray.__getattribute__(value, "nbytes")))
        array = np.array(value, copy=True, order="C", subok=False)
        buffers.append(array.tobytes())
        return {"~": "nd", "dtype": array.dtype.str, "shape": list(array.shape), "buf": len(buffers) - 1,
                "sub": kind.__name__ if kind is not np.ndarray else None}
    if kind is Ref:
        return {"~": "ref", "module": value.module, "name": value.name}
    if kind in (list, tuple, dict) and budget is not None:
        budget.spend(8 * len(value))
    if kind in (list, tuple):
        items = [_describe(item, buffers, depth + 1, budget) for item in value]
        return items if kind is list else {"~": "tuple", "items": items}
    if kind is dict and all(type(key) in (str, int) for key in value):
        return {"~": "dict", "items": [[key, _describe(item, buffers, depth + 1, budget)] for key, item in dict.items(value)]}
    return {"~": "opaque", "type": kind.__name__, "text": _safe_repr(value)}


def _safe_repr(value: Any) -> str:
    """A short repr, without trusting the object's own ``__repr__`` to behave."""
    try:
        text = object.__repr__(value)
    except Exception:  # noqa: BLE001 - any failure just means no text
        text = ""
    return text[:120]


def encode(value: Any, max_bytes: int = 256 * 2**20) -> bytes:
    """Serialize plain data; raise :class:`WireError` past ``max_bytes``."""
    buffers: list[bytes] = []
    budget = _Budget(max_bytes)
    header = json.dumps(_describe(value, buffers, 0, budget), allow_nan=False).encode()
    size = 8 + len(header) + sum(8 + len(buffer) for buffer in buffers)
    if size > max_bytes:
        raise WireError(f"{_size_text(size)}, more than the limit of {_size_text(max_bytes)}")
    parts = [struct.pack("<II", len(header), len(buffers)), header]
    for buffer in buffers:
        parts.append(struct.pack("<Q", len(buffer)))
        parts.append(buffer)
    return b"".join(parts)


def decode(data: bytes) -> Any:
    """Rebuild plain data from :func:`encode`'s bytes; only arrays, scalars and containers come back."""
    view = memoryview(data)
    try:
        header_size, count = struct.unpack_from("<II", view, 0)
        offset = 8 + header_size
        tree = json.loads(bytes(view[8:offset]))
        buffers = []
        for _ in range(count):
            (size,) = struct.unpack_from("<Q", view, offset)
            buffers.append(view[offset + 8 : offset + 8 + size])
            offset += 8 + size
    except (struct.error, ValueError) as error:
        raise WireError(f"malformed message: {error}") from None
    return _rebuild(tree, buffers)


def _rebuild(node: Any, buffers: list[memoryview]) -> Any:
    if not isinstance(node, dict):
        if isinstance(node, list):
            return [_rebuild(item, buffers) for item in node]
        return node
    kind = node.get("~")
    if kind == "nd":
        return _rebuild_array(node, buffers)
    if kind == "scalar":
        return _rebuild(node["a"], buffers)[()]
    if kind == "float":
        return float(node["v"])
    if kind == "tuple":
        return tuple(_rebuild(item, buffers) for item in node["items"])
    if kind == "dict":
        return {key: _rebuild(item, buffers) for key, item in node["items"]}
    if kind == "ref":
        return Ref(str(node["module"]), str(node["name"]))
    if kind == "opaque":
        return Opaque(str(node["type"]), str(node.get("text", "")))
    raise WireError(f"unknown node kind {kind!r}")


def _rebuild_array(node: dict, buffers: list[memoryview]) -> np.ndarray:
    dtype = node["dtype"]
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"array dtype {dtype!r} is not allowed on the wire")
    shape = tuple(int(n) for n in node["shape"])
    buffer = buffers[int(node["buf"])]
    array = np.frombuffer(buffer, dtype=np.dtype(dtype))
    if array.size != math.prod(shape):
        raise WireError(f"array of shape {shape} does not match its {array.size} values")
    array = array.reshape(shape).copy()
    if node.get("sub"):
        return ConvertedArray(array, str(node["sub"]))
    return array


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
