"""What the keras_intro lab hands students: activations to pass as ``g``, and a plain-data view of a model.

Submissions import it (``from gradelab.student.keras_lab import sigmoid, relu``): the grader's worker allows it
by name. It imports NumPy and gradelab.keras, which brings the reference core gradelab.nn along (see
gradelab.student); nothing of the grading or of the assignment's declaration and reference, which live in modules
the worker refuses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradelab.keras import Sequential


def sigmoid(z: Any) -> Any:
    """g(z) = 1 / (1 + exp(-z)), elementwise; a number for a number, an array for an array."""
    return 1 / (1 + np.exp(-z))


def relu(z: Any) -> Any:
    """g(z) = max(0, z), elementwise."""
    return np.maximum(0, z)


def linear(z: Any) -> Any:
    """g(z) = z: no activation."""
    return z


def describe_model(model: Any) -> dict:
    """A Sequential as plain data: its input shape and, per layer, name, units, activation, shapes and initializers.

    The grader compares this description (a model object cannot leave the process that built it). Weight values
    are left out: they depend on the seed and on how many layers were built before, not on the student's design.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"expected a gradelab.keras Sequential model, got {type(model).__name__}: return the model you built")
    return {"input_shape": model.input_shape, "layers": [_describe_layer(layer) for layer in model.layers]}


def _describe_layer(layer: Any) -> dict:
    return {
        "name": layer.name,
        "units": layer.units,
        "activation": layer.activation,
        "kernel_shape": None if layer.kernel is None else tuple(layer.kernel.shape),
        "bias_shape": None if layer.bias is None else tuple(layer.bias.shape),
        "kernel_initializer": type(layer.kernel_initializer).__name__,
        "bias_initializer": type(layer.bias_initializer).__name__,
    }
