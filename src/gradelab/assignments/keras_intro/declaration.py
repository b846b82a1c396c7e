"""The keras_intro declaration: exercises, cases, references, known mistakes and correct alternatives.

Follows the course's "Neural network implementation in NumPy" lab, in Keras' layout: an example is a
row, W is (n_in, units) with one column per unit, b is (units,). Two engine features carry what is not
plain data across the process boundary:

* the activation ``g`` is a :class:`~gradelab.grading.protocol.wire.Ref` to a function of :mod:`gradelab.student.keras_lab`,
  which the worker resolves (sigmoid in some cases, relu in others, so a hard-coded sigmoid shows);
* ``build_model`` returns a Sequential, which the worker turns into plain data with
  ``keras_lab.describe_model`` (``output_adapter``) before sending it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...grading.judges import OutputAdapter, Values
from ...grading.protocol.wire import Ref
from ...grading.spec import Assignment, Case, Exercise, Mistake
from ...keras import Dense, Input, Sequential
from ...student.keras_lab import sigmoid
from . import alternatives as alt
from . import mistakes

LAB_UTILS = "gradelab.student.keras_lab"
# What submissions import: gradelab.keras (which itself uses gradelab.nn's activations and course bridge;
# a student could reach them through it, which the dense loops graded here do not need) and the lab's helpers.
# The course's names for its lab modules come first (grading/guard.py's COURSE_ALIASES): a function handed to a
# graded call crosses by the name of the module listed last.
STUDENT_MODULES = ("lab_utils_common", "lab_coffee_utils", "gradelab.keras", "gradelab.keras.layers",
                   "gradelab.keras.models", "gradelab.keras.initializers", LAB_UTILS)
SIGMOID, RELU = Ref(LAB_UTILS, "sigmoid"), Ref(LAB_UTILS, "relu")


# --- references: Keras' layout, written independently of solution.py ------------------------------
def my_dense(a_in: np.ndarray, W: np.ndarray, b: np.ndarray, g: Callable) -> np.ndarray:
    return np.array([g(float(a_in @ W[:, j] + b[j])) for j in range(W.shape[1])], dtype=float)


def my_dense_v(A_in: np.ndarray, W: np.ndarray, b: np.ndarray, g: Callable) -> np.ndarray:
    return g(A_in @ W + b)


def my_sequential(x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    return my_dense(my_dense(x, W1, b1, sigmoid), W2, b2, sigmoid)


def build_model(n_x: int, n_h: int) -> Sequential:
    return Sequential([Input(shape=(n_x,)), Dense(n_h, activation="sigmoid", name="layer1"),
                       Dense(1, activation="sigmoid", name="layer2")])


# --- cases: each draws its numbers from its own generator -----------------------------------------
def _layer(n: int, units: int, rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.normal(0.0, 2.0, (n, units)), rng.normal(0.0, 2.0, units)]


def _dense_args(n: int, units: int, g: Ref) -> Callable:
    return lambda rng: ([rng.normal(0.0, 1.0, n), *_layer(n, units, rng), g], {})


def _dense_v_args(m: int, n: int, units: int, g: Ref) -> Callable:
    return lambda rng: ([rng.normal(0.0, 1.0, (m, n)), *_layer(n, units, rng), g], {})


def _sequential_args(n: int, units1: int, units2: int) -> Callable:
    return lambda rng: ([rng.normal(0.0, 1.0, n), *_layer(n, units1, rng), *_layer(units1, units2, rng)], {})


def _model_args(n_x: int, n_h: int) -> Callable:
    return lambda rng: ([n_x, n_h], {})


def _namer(root: str) -> Callable[[tuple], str]:
    def name(path: tuple) -> str:
        return root + "".join(f"[{key!r}]" for key in path)

    return name


def _model_namer(path: tuple) -> str:
    """model['layers'][0]['units'] reads as "layer 1 ('layers'[0]) units"."""
    if len(path) >= 2 and path[0] == "layers":
        rest = "".join(f"[{key!r}]" for key in path[2:])
        return f"the model's layer {path[1] + 1}{rest}"
    return "the model" + "".join(f"[{key!r}]" for key in path)


EXERCISES = [
    Exercise(
        id="TestMyDense", function="my_dense", points=2, reference=my_dense,
        title="A dense layer, one unit at a time", output_name="a_out", name_path=_namer("a_out"),
        cases=[Case("the lab's layer", _dense_args(2, 3, SIGMOID), seed=1),
               Case("square W, relu", _dense_args(3, 3, RELU), seed=2),
               Case("more units, relu", _dense_args(4, 6, RELU), seed=3, hidden=True, varies="other sizes and activations"),
               Case("one unit", _dense_args(5, 1, SIGMOID), seed=4, hidden=True, varies="a single unit"),
               Case("more inputs than units", _dense_args(6, 4, SIGMOID), seed=5, hidden=True, varies="other sizes")],
        mistakes=[Mistake(*m) for m in mistakes.MY_DENSE],
        alternatives=[alt.dense_comprehension, alt.dense_vectorized, alt.dense_loop_over_columns],
    ),
    Exercise(
        id="TestMyDenseV", function="my_dense_v", points=2, reference=my_dense_v,
        title="A dense layer, vectorized over examples", output_name="A_out", name_path=_namer("A_out"),
        cases=[Case("four examples", _dense_v_args(4, 2, 3, SIGMOID), seed=11),
               Case("as many examples as units, relu", _dense_v_args(3, 2, 3, RELU), seed=12),
               Case("one example", _dense_v_args(1, 3, 4, RELU), seed=13, hidden=True, varies="a single example"),
               Case("one unit", _dense_v_args(10, 5, 1, SIGMOID), seed=14, hidden=True, varies="a single unit"),
               Case("larger, relu", _dense_v_args(7, 4, 5, RELU), seed=15, hidden=True, varies="other sizes")],
        mistakes=[Mistake(*m) for m in mistakes.MY_DENSE_V],
        alternatives=[alt.dense_v_dot, alt.dense_v_einsum, alt.dense_v_course_and_back],
    ),
    Exercise(
        id="TestMySequential", function="my_sequential", points=2,
        reference=my_sequential, title="Two layers", output_name="a2", name_path=_namer("a2"),
        calls=("my_dense", "my_dense_v"),
        cases=[Case("the lab's network", _sequential_args(2, 3, 1), seed=21),
               Case("square layers", _sequential_args(3, 3, 3), seed=22),
               Case("wider", _sequential_args(4, 5, 2), seed=23, hidden=True, varies="other layer sizes"),
               Case("one input", _sequential_args(1, 2, 1), seed=24, hidden=True, varies="other layer sizes")],
        mistakes=[Mistake(*m) for m in mistakes.MY_SEQUENTIAL],
        alternatives=[alt.sequential_inline, alt.sequential_keywords, alt.sequential_loop_over_layers,
                      alt.sequential_vectorized_one_row],
    ),
    Exercise(
        id="TestBuildModel", function="build_model", points=2, reference=build_model,
        title="The same network in gradelab.keras", output_name="model", name_path=_model_namer,
        judges=[OutputAdapter.of(Ref(LAB_UTILS, "describe_model")), Values()],
        cases=[Case("the lab's model", _model_args(2, 3)),
               Case("other sizes", _model_args(5, 4), hidden=True, varies="other sizes"),
               Case("more inputs than units", _model_args(3, 2), hidden=True, varies="other sizes")],
        mistakes=[Mistake(*m) for m in mistakes.BUILD_MODEL],
        alternatives=[alt.model_add, alt.model_input_shape, alt.model_built_explicitly, alt.model_seeded],
    ),
]

ASSIGNMENT = Assignment(
    name="keras_intro",
    title="A neural network in NumPy, and the same one in Keras",
    exercises=EXERCISES,
    student_modules=STUDENT_MODULES,
    preload=["numpy", "gradelab.keras"],
    description="Implement a dense layer unit by unit and vectorized, chain two of them, and build the same network "
                "with gradelab.keras, whose weights exist before any data.",
)
