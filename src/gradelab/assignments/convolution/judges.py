"""Course names for output positions, and finite-difference checks of the two backward exercises.

The backward exercises are compared with the reference's values and, as an
independent witness, with central differences (``gradelab.nn.gradcheck``) of
a scalar cost: for conv_backward ``sum(dZ * conv_forward(A_prev, W, b)[0])``,
for pool_backward ``sum(dA * pool_forward(A_prev)[0])``. The gradient of such
a cost is exactly what the backward pass must return, so a message can say
"dW differs from the numerical gradient" without referring to our code.

Both are witnesses of the ``finite_differences`` judge, which keeps the
numerical gradients of a case (the same inputs for every submission) and
applies its one threshold rule.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...grading.judges import FiniteDifferences, Gradients, witness
from ...kernels import conv as conv_fast
from ...nn.gradcheck import numerical_gradient


# --- names in the course's notation ----------------------------------------------------------------
def output_namer(names: tuple[str, ...], cache: tuple[str, ...] = ()) -> Callable[[tuple], str]:
    """Positions in a returned tuple: (0,) -> "Z", (1, 0) -> "cache[0] = A_prev", (1, 3, 'pad') -> "cache[3] = hparameters['pad']"."""

    def name(path: tuple) -> str:
        if not path:
            return f"the returned ({', '.join(names)})"
        first, rest = path[0], path[1:]
        head = names[first] if isinstance(first, int) and 0 <= first < len(names) else f"item {first!r}"
        if head == "cache" and rest and isinstance(rest[0], int) and 0 <= rest[0] < len(cache):
            head, rest = f"cache[{rest[0]}] = {cache[rest[0]]}", rest[1:]
        return head + "".join(f"[{key!r}]" for key in rest)

    return name


# --- finite differences ------------------------------------------------------------------------------
def conv_numeric_gradients(dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: dict) -> dict[str, np.ndarray]:
    """dA_prev, dW, db of sum(dZ * conv_forward(A_prev, W, b, hparameters)[0]) by central differences."""
    work = {"A_prev": np.array(A_prev, dtype=float), "W": np.array(W, dtype=float), "b": np.array(b, dtype=float)}
    hp = dict(hparameters)

    def cost() -> float:
        return float(np.sum(dZ * conv_fast.conv_forward(work["A_prev"], work["W"], work["b"], hp)[0]))

    return {f"d{name}": numerical_gradient(cost, work[name]) for name in ("A_prev", "W", "b")}


def pool_numeric_gradient(dA: np.ndarray, A_prev: np.ndarray, hparameters: dict, mode: str) -> dict[str, np.ndarray]:
    """dA_prev of sum(dA * pool_forward(A_prev, hparameters, mode)[0]) by central differences."""
    work = np.array(A_prev, dtype=float)
    hp = dict(hparameters)

    def cost() -> float:
        return float(np.sum(dA * conv_fast.pool_forward(work, hp, mode=mode)[0]))

    return {"dA_prev": numerical_gradient(cost, work)}


@witness("convolution.conv_backward", returns=("dA_prev", "dW", "db"))
def conv_backward_gradients(args: list, kwargs: dict) -> Gradients:
    """conv_backward(dZ, cache): the gradients of sum(dZ * conv_forward(A_prev, W, b)[0])."""
    dZ, (A_prev, W, b, hparameters) = args[0], args[1]
    return Gradients(conv_numeric_gradients(dZ, A_prev, W, b, hparameters), "sum(dZ * conv_forward(A_prev, W, b)[0])")


@witness("convolution.pool_backward", returns=("dA_prev",))
def pool_backward_gradients(args: list, kwargs: dict) -> Gradients:
    """pool_backward(dA, cache, mode): the gradient of sum(dA * pool_forward(A_prev, mode)[0])."""
    dA, (A_prev, hparameters) = args[0], args[1]
    mode = kwargs.get("mode", args[2] if len(args) > 2 else "max")
    return Gradients(pool_numeric_gradient(dA, A_prev, hparameters, mode), f"sum(dA * pool_forward(A_prev, mode={mode!r})[0])")


CONV_BACKWARD_GRADIENTS = FiniteDifferences(witness="convolution.conv_backward")
POOL_BACKWARD_GRADIENTS = FiniteDifferences(witness="convolution.pool_backward")
