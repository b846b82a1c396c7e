"""Course names for output positions, and the checks that accept any correct method.

Backward exercises are also checked against finite differences of a scalar
cost (the ``finite_differences`` judge with the witnesses registered here), so a
message can say which gradient is wrong in terms of the cost rather than of our
code. Models are judged by what they learn (``deep_network.trained_model``):
held-out accuracy with the reference ``predict``, and falling costs; the held-out
set comes with the case (``Case.data["task"]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ... import nn
from ...grading.judges import CaseContext, FiniteDifferences, Gradients, Judge, Probe, SeededDraws, register, witness
from ...grading.judges.training import accuracy_finding, layer_key, returned_findings
from ...grading.outcome import Finding
from . import fixtures


# --- names in the course's notation ----------------------------------------------------------------
def dict_namer(root: str) -> Callable[[tuple], str]:
    def name(path: tuple) -> str:
        if not path:
            return root
        return f"{root}['{path[0]}'] = {layer_key(path[0])}" + "".join(f"[{p!r}]" for p in path[1:])

    return name


def cache_name(root: str, path: tuple, a: str, l: str, first_is_x: bool = False) -> str:
    """Positions inside one layer cache ((A_prev, W, b), Z)."""
    linear = f"({a}, W[{l}], b[{l}])"
    if not path:
        return f"{root} = ({linear}, Z[{l}])"
    if path[0] == 1:
        return f"{root}[1] = Z[{l}] (the activation cache)"
    if len(path) == 1:
        return f"{root}[0] = {linear} (the linear cache)"
    item = (a + (" = X" if first_is_x else ""), f"W[{l}]", f"b[{l}]")
    return f"{root}[0][{path[1]}] = {item[path[1]] if path[1] in (0, 1, 2) else '?'}" + "".join(f"[{p!r}]" for p in path[2:])


def forward_namer(value: str, cache: str, a: str, l: str) -> Callable[[tuple], str]:
    """For (value, cache) outputs such as linear_activation_forward's (A, ((A_prev, W, b), Z))."""
    def name(path: tuple) -> str:
        if not path:
            return f"the returned ({value}, {cache})"
        return value if path[0] == 0 else cache_name(cache, path[1:], a, l)

    return name


def linear_forward_namer(path: tuple) -> str:
    names = ("A", "W", "b")
    if not path:
        return "the returned (Z, cache)"
    if path[0] == 0:
        return "Z"
    if len(path) == 1:
        return "cache = (A, W, b)"
    return f"cache[{path[1]}] = {names[path[1]] if path[1] in (0, 1, 2) else '?'}"


def model_forward_namer(path: tuple) -> str:
    if not path:
        return "the returned (AL, caches)"
    if path[0] == 0:
        return "AL"
    if len(path) == 1:
        return "caches (one cache per layer, caches[l-1] = ((A[l-1], W[l], b[l]), Z[l]))"
    l = int(path[1])
    return cache_name(f"caches[{l}]", path[2:], f"A[{l}]", str(l + 1), first_is_x=l == 0)


def backward_namer(names: tuple[str, ...]) -> Callable[[tuple], str]:
    def name(path: tuple) -> str:
        if not path:
            return f"the returned ({', '.join(names)})"
        return names[path[0]] + "".join(f"[{p!r}]" for p in path[1:]) if path[0] < len(names) else f"item {path[0]}"

    return name


def model_namer(path: tuple) -> str:
    if not path:
        return "the returned (parameters, costs)"
    return dict_namer("parameters")(path[1:]) if path[0] == 0 else "costs" + "".join(f"[{p!r}]" for p in path[1:])


# --- finite differences: the costs whose gradients the backward functions return ---------------------
LAYER = ("dA_prev", "dW", "db")
ACTIVATIONS = {"sigmoid": lambda Z: nn.sigmoid(Z)[0], "relu": lambda Z: nn.relu(Z)[0]}


def _layer_numeric(dA: np.ndarray, linear_cache: tuple, activation: Callable | None) -> dict[str, np.ndarray]:
    """Numerical gradients of J = 1/m sum(dA * g(W A_prev + b)); dA_prev is m dJ/dA_prev, the course's per-example dA."""
    A_prev, W, b = (np.array(x, dtype=float) for x in linear_cache)
    m = A_prev.shape[1]

    def cost(p: dict) -> float:
        Z = p["W"] @ p["A_prev"] + p["b"]
        return float(np.sum(dA * (activation(Z) if activation else Z)) / m)

    numeric = nn.numerical_gradients(cost, {"A_prev": A_prev, "W": W, "b": b})
    return {"dA_prev": m * numeric["dA_prev"], "dW": numeric["dW"], "db": numeric["db"]}


@witness("deep_network.linear_backward", returns=LAYER)
def linear_backward_gradients(args: list, kwargs: dict) -> Gradients:
    dZ, linear_cache = args
    return Gradients(_layer_numeric(np.asarray(dZ, dtype=float), linear_cache, None), "J = 1/m sum(dZ * Z)")


@witness("deep_network.linear_activation_backward", returns=LAYER)
def linear_activation_backward_gradients(args: list, kwargs: dict) -> Gradients:
    dA, (linear_cache, _), activation = args
    numeric = _layer_numeric(np.asarray(dA, dtype=float), linear_cache, ACTIVATIONS[activation])
    return Gradients(numeric, f"J = 1/m sum(dA * {activation}(Z))")


@witness("deep_network.L_model_backward")
def L_model_backward_gradients(args: list, kwargs: dict) -> Gradients:
    """Gradients of compute_cost(L_model_forward(X, parameters), Y), X and parameters read from the caches."""
    AL, Y, caches = args
    X = np.array(caches[0][0][0], dtype=float)  # A[0] = X, kept in the first layer's linear cache
    parameters = {}
    for l, ((_, W, b), _) in enumerate(caches, start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = np.array(W, dtype=float), np.array(b, dtype=float)
    m = X.shape[1]

    def cost(p: dict) -> float:
        return nn.compute_cost(nn.L_model_forward(p["X"], {k: v for k, v in p.items() if k != "X"})[0], Y)

    numeric = nn.numerical_gradients(cost, {"X": X, **parameters})
    numeric["dA0"] = m * numeric.pop("dX")  # the course's dA[0] is per example: m times dJ/dX
    labels = {key: layer_key(key) for key in numeric}
    labels["dA0"] = "dA[0] (m dJ/dX)"
    return Gradients(numeric, "the cost", labels)


def gradients_of(name: str) -> FiniteDifferences:
    return FiniteDifferences(witness=f"deep_network.{name}")


# --- models ---------------------------------------------------------------------------------------
@register
@dataclass(frozen=True)
class TrainedModel(Judge):
    """Structure, falling costs, and held-out accuracy of the returned parameters with the reference predict.

    The case carries its :class:`fixtures.DigitsTask` in ``data["task"]``: the held-out set and the accuracy required.
    """

    name: ClassVar[str] = "deep_network.trained_model"
    local: ClassVar[bool] = False  # the held-out accuracy uses the reference predict

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        findings, trained = returned_findings(expected[0], got)
        if not trained:
            return findings
        task = context.data["task"]
        _, _, test_X, test_Y = fixtures.digits_split(task)
        accuracy = nn.accuracy(nn.predict(test_X, got[0]), test_Y)
        reference = nn.accuracy(nn.predict(test_X, expected[0]), test_Y)
        return findings + [accuracy_finding(accuracy, reference, task.required_accuracy,
                                            f"digit {task.negative} vs {task.positive}", test_Y.shape[1])]


# --- initializers: right in distribution, whatever generator ------------------------------------------------
def initializer_check(call_args: list, dims: list[int], scale: float) -> SeededDraws:
    """The second verdict for an initializer that seeds itself: the distribution on large layers, and repeatability."""
    return SeededDraws(layers_dims=tuple(dims), scales={int(n): float(scale) for n in dims[:-1]}, args=tuple(call_args), seeds=())
