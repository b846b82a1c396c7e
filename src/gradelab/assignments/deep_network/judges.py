"""Course names for output positions, and the checks that accept any correct method.

Backward exercises are also checked against finite differences of a scalar
cost (``gradelab.nn.gradcheck``), so a message can say which gradient is wrong
in terms of the cost rather than of our code. Models are judged by what they
learn: held-out accuracy with the reference ``predict``, and falling costs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ... import nn
from ...grading.checks import Finding
from ...grading.stats import _distribution_findings, _layers_repeat_findings
from . import fixtures

RELATIVE_ERROR = 1e-5  # central differences of these smooth costs agree with the analytic gradient to about 1e-8
ABSOLUTE_ERROR = 1e-7  # below this a gradient is numerically zero, where relative errors mean nothing


# --- names in the course's notation ----------------------------------------------------------------
def layer_key(key: object) -> str:
    """'dW2' -> 'dW[2]', 'b1' -> 'b[1]'."""
    text = str(key)
    head = text.rstrip("0123456789")
    return f"{head}[{text[len(head):]}]" if head != text else text


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


# --- finite differences --------------------------------------------------------------------------
def _gradient_findings(got: object, numeric: dict[str, np.ndarray], labels: dict[str, str], of: str) -> list[Finding]:
    """One finding per returned gradient of the right shape that the numerical gradient contradicts."""
    findings = []
    for key, label in labels.items():
        value = got.get(key) if isinstance(got, dict) else None
        if not isinstance(value, np.ndarray) or value.shape != numeric[key].shape or value.dtype.kind not in "fiu":
            continue  # the value comparison already says what is wrong with it
        error = nn.relative_error(value.astype(float), numeric[key])
        if error > RELATIVE_ERROR and np.max(np.abs(value - numeric[key])) > ABSOLUTE_ERROR:
            findings.append(Finding("fail", f"{label} has the right shape but differs from the numerical gradient of {of} "
                                            f"by {error:.1g} (relative error)"))
    return findings


def _as_dict(got: object, names: tuple[str, ...]) -> dict:
    if isinstance(got, tuple | list) and len(got) == len(names):
        return dict(zip(names, got))
    return {}


def _layer_numeric(dA: np.ndarray, linear_cache: tuple, activation: Callable | None) -> dict[str, np.ndarray]:
    """Numerical gradients of J = 1/m sum(dA * g(W A_prev + b)); dA_prev is m dJ/dA_prev, the course's per-example dA."""
    A_prev, W, b = (np.array(x, dtype=float) for x in linear_cache)
    m = A_prev.shape[1]

    def cost(p: dict) -> float:
        Z = p["W"] @ p["A_prev"] + p["b"]
        return float(np.sum(dA * (activation(Z) if activation else Z)) / m)

    numeric = nn.numerical_gradients(cost, {"A_prev": A_prev, "W": W, "b": b})
    return {"dA_prev": m * numeric["dA_prev"], "dW": numeric["dW"], "db": numeric["db"]}


LAYER_LABELS = {"dA_prev": "dA_prev", "dW": "dW", "db": "db"}
ACTIVATIONS = {"sigmoid": lambda Z: nn.sigmoid(Z)[0], "relu": lambda Z: nn.relu(Z)[0]}


def linear_backward_check(args: list, kwargs: dict, expected: object, got: object) -> list[Finding]:
    dZ, linear_cache = args
    numeric = _layer_numeric(np.asarray(dZ, dtype=float), linear_cache, None)
    return _gradient_findings(_as_dict(got, ("dA_prev", "dW", "db")), numeric, LAYER_LABELS, "J = 1/m sum(dZ * Z)")


def linear_activation_backward_check(args: list, kwargs: dict, expected: object, got: object) -> list[Finding]:
    dA, (linear_cache, _), activation = args
    numeric = _layer_numeric(np.asarray(dA, dtype=float), linear_cache, ACTIVATIONS[activation])
    return _gradient_findings(_as_dict(got, ("dA_prev", "dW", "db")), numeric, LAYER_LABELS,
                              f"J = 1/m sum(dA * {activation}(Z))")


def L_model_backward_check(args: list, kwargs: dict, expected: object, got: object) -> list[Finding]:
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
    return _gradient_findings(got, numeric, labels, "the cost")


# --- models ---------------------------------------------------------------------------------------
def _structure_findings(expected_parameters: dict, got: object) -> list[Finding]:
    if not (isinstance(got, tuple | list) and len(got) == 2):
        return [Finding("fail", "expected the returned (parameters, costs), a tuple of 2 items")]
    parameters, costs = got
    if not isinstance(parameters, dict):
        return [Finding("fail", f"parameters: expected a dict with keys {sorted(expected_parameters)}")]
    findings = []
    for key, value in expected_parameters.items():
        if np.shape(parameters.get(key)) != value.shape or not isinstance(parameters.get(key), np.ndarray):
            findings.append(Finding("fail", f"parameters['{key}'] = {layer_key(key)}: expected an array of shape {value.shape}"))
    if not isinstance(costs, list | tuple | np.ndarray) or len(costs) < 2:
        findings.append(Finding("fail", "costs: expected the cost recorded every 100 iterations (at least 2 values)"))
    return findings


def _costs_findings(costs: object) -> list[Finding]:
    values = np.asarray([np.squeeze(np.asarray(c, dtype=float)) for c in costs], dtype=float)
    if not np.all(np.isfinite(values)):
        return [Finding("fail", "costs: some recorded costs are NaN or inf")]
    if values[-1] >= values[0]:
        return [Finding("fail", f"costs: the cost did not decrease ({values[0]:.4g} at first, {values[-1]:.4g} at the end)")]
    return []


def model_check(args: list, kwargs: dict, expected: tuple, got: object) -> list[Finding]:
    """Structure, falling costs, and held-out accuracy of the returned parameters with the reference predict."""
    findings = _structure_findings(expected[0], got)
    if findings:
        return findings
    try:
        findings = _costs_findings(got[1])
    except (TypeError, ValueError):
        return [Finding("fail", "costs: expected a list of numbers")]
    task, test_X, test_Y = fixtures.held_out(np.asarray(args[0]))
    got_accuracy = nn.accuracy(nn.predict(test_X, got[0]), test_Y)
    reference = nn.accuracy(nn.predict(test_X, expected[0]), test_Y)
    summary = (f"held-out accuracy on digit {task.negative} vs {task.positive} ({test_Y.shape[1]} test images): "
               f"{got_accuracy:.3f}; required {task.required_accuracy}, the reference reaches {reference:.3f}")
    findings.append(Finding("fail" if got_accuracy < task.required_accuracy else "info", summary))
    return findings


# --- initializers: right in distribution, whatever generator ------------------------------------------------
def initializer_check(call_args: list, dims: list[int], scale: float) -> Callable:
    """An ``accept_if`` for an initializer that seeds itself: the distribution on large layers, and repeatability."""
    def verdict(probe: object) -> tuple[bool, list[Finding]]:
        first, again = probe.call(*call_args), probe.call(*call_args)
        findings = _distribution_findings(first, dims, lambda n_prev: scale, 0.05, 6.0)
        if not findings:
            findings.extend(_layers_repeat_findings(first, dims, lambda n_prev: scale))
        if not findings and not all(np.array_equal(first[k], again[k]) for k in first):
            findings.append(Finding("fail", "two calls gave different weights: seed the generator you draw from"))
        if findings:
            return False, [Finding("info", f"checked in distribution on layer sizes {dims}:")] + findings
        return True, [Finding("info", f"your values differ from the reference's np.random.randn sequence but are right in "
                                      f"distribution on layer sizes {dims} (shapes, zero biases, mean 0, standard deviation "
                                      f"{scale}) and repeatable; full credit")]

    return verdict
