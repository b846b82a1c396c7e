"""The keras_intro assignment: a dense layer in NumPy, looped and vectorized, two layers, and a Keras model.

The declaration is in :mod:`.declaration` and is imported on the first use of ``ASSIGNMENT``. This
package must stay light: submissions import :mod:`.lab_utils` from it, and the worker keeps this
package's module object (a parent of an allowed module) where student code can reach it. The import
guard refuses ``declaration`` and everything it holds (the reference, the hidden cases).
"""

from __future__ import annotations

from typing import Any

_DECLARED = ("ASSIGNMENT", "EXERCISES")


def __getattr__(name: str) -> Any:
    if name in _DECLARED:
        from . import declaration

        return getattr(declaration, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
