"""The student's notebook for keras_intro: a dense layer in NumPy, and where a Keras model's first weights come from."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ...grading.rule import RULE

CHECK = "!python tests/test_keras_intro.py --test_case {id}"

INTRO = """# A neural network in NumPy, and the same one in Keras

In this lab you write what a Keras `Dense` layer computes, first one unit at a time, then for many examples
at once, chain two layers into a small network, and finally build the same network with `gradelab.keras`,
a Keras-style API written in NumPy.

**Layout.** As in Keras (and unlike the course's `W[l]`), an example is a *row*. A layer with n inputs and
`units` units has `W` of shape (n, units), one *column* per unit, and `b` of shape (units,). The course's
W[l] (units, n) is the transpose of this W.

**How checking works.** After each function, run the cell below it: it checks the functions as they are in the
running notebook (nothing to save). The instructor's grading runs the saved notebook's imports, function definitions
and constants, never your other cells, and adds hidden cases (other sizes, and relu as well as sigmoid for `g`)."""

INTRO += "\n\n**What the checker runs.** " + RULE

SETUP = """import numpy as np

from gradelab.student.keras_lab import relu, sigmoid
from gradelab.keras import Dense, Input, Sequential, set_seed"""

DENSE = r"""## 1 - One dense layer, unit by unit [2 points]

Unit j of a dense layer takes the whole input `a_in` and computes $z_j = \vec{w}_j \cdot \vec{a}_{in} + b_j$, then
$a_j = g(z_j)$,
where w_j is column j of W and g is the layer's activation. `my_dense` receives `g` as a function: call it
as `g(z)`. The grader passes `sigmoid` and `relu`."""

DENSE_V = r"""## 2 - The same layer for m examples at once [2 points]

Stack m examples as the rows of `A_in` (m, n). Then $A_{out} = g(A_{in} W + \vec{b})$: `A_in @ W` (m, units) holds every
unit's w_j · a for every
example, and adding `b` (units,) adds b_j to column j of every row: NumPy broadcasts it. No loop needed."""

SEQUENTIAL = """## 3 - Two layers [2 points]

A network is layers in sequence: layer 2's input is layer 1's output. Use `my_dense` with `sigmoid` for both."""

TRY_IT = """rng = np.random.default_rng(0)
x = rng.normal(size=2)
W1, b1 = rng.normal(size=(2, 3)), np.zeros(3)
W2, b2 = rng.normal(size=(3, 1)), np.zeros(1)
print("my_dense  :", my_dense(x, W1, b1, sigmoid))
print("my_dense_v:", my_dense_v(x.reshape(1, -1), W1, b1, sigmoid))   # the same numbers, as a (1, 3) row
print("a2        :", my_sequential(x, W1, b1, W2, b2))"""

WEIGHTS = """## 4 - Where do a Keras model's weights come from? [2 points]

In the course's TensorFlow lab, a model is built and its weights printed, and no data has been seen yet:

```python
tf.random.set_seed(1234)
model = Sequential([tf.keras.Input(shape=(2,)), Dense(3, activation='sigmoid', name='layer1'),
                    Dense(1, activation='sigmoid', name='layer2')])
W1, b1 = model.get_layer("layer1").get_weights()     # W1 (2, 3), b1 (3,)
```

So where do those numbers come from? Three things decide them, and X is not one of them.

- **The shapes come from the layer sizes.** Every one of layer1's 3 units has one weight per input, and
  `Input(shape=(2,))` says there are 2 inputs: W1 is (2, 3), b1 is (3,). Layer 2 has 3 inputs (layer 1's
  units) and 1 unit: W2 is (3, 1). That is all a layer needs to create its weights, so they exist as soon as
  the model knows its input size, before any data. (Without the `Input`, they are created when the first data
  arrives.)
- **The values come from an initializer.** `Dense` draws its kernel with `kernel_initializer`, by default
  `glorot_uniform`: uniform on [-limit, limit] with limit = sqrt(6 / (n_in + n_out)). The biases start at 0.
- **The seed makes them repeatable.** `set_seed(1234)` fixes the random numbers, so the same program gives the
  same weights every time. Without it you get new ones on every run. (gradelab.keras draws with NumPy, so its
  numbers are not TensorFlow's, but the reasoning is the same.)

**Why random, and not zeros?** These weights are only the starting point; training changes them. But if every
unit of a layer started with the same weights, every unit would compute the same output, get the same gradient,
and change in the same way: they would stay copies of each other for ever, and 3 units would be no better than
one. Random starting values break this *symmetry*, so different units can learn different things. Run
`gradelab study symmetry` to watch it: the same model trained from zeros and from glorot_uniform.

**Two layouts.** Keras stores layer 1's kernel as (n_in, units) = (2, 3), the course writes W[1] as
(units, n_in) = (3, 2): one is the transpose of the other. `model.to_course_parameters()` gives the course's
layout.

Build the lab's model in `build_model(n_x, n_h)`: `Input(shape=(n_x,))`, a `Dense` layer of `n_h` sigmoid
units named "layer1", and a `Dense` layer of one sigmoid unit named "layer2"."""

EXPLAIN = """set_seed(1234)
model = build_model(2, 3)
W1, b1 = model.get_layer("layer1").get_weights()
W2, b2 = model.get_layer("layer2").get_weights()
print(f"W1{W1.shape}:\\n", W1, f"\\nb1{b1.shape}:", b1)
print(f"W2{W2.shape}:\\n", W2, f"\\nb2{b2.shape}:", b2)
model.explain_weights()                          # shapes, initializer, fans, target and drawn std per layer
print(model.to_course_parameters()["W1"].shape)  # (3, 2): the course's W[1] = W1.T"""

COMPARE = """## 5 - The model and your NumPy network agree

Put the model's weights into `my_sequential` and compare with `model.predict`: same weights, same numbers."""

COMPARE_CODE = """X = np.array([[200.0, 13.9], [0.5, -1.0]]) / 100
print(model.predict(X).ravel())
print([my_sequential(x, W1, b1, W2, b2)[0] for x in X])"""


def build(functions: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook, with each graded function in its own cell followed by its check."""
    cells = [new_markdown_cell(INTRO), new_code_cell(SETUP)]
    graded = [(DENSE, "my_dense", "TestMyDense"), (DENSE_V, "my_dense_v", "TestMyDenseV"),
              (SEQUENTIAL, "my_sequential", "TestMySequential")]
    for text, function, exercise_id in graded:
        cells += [new_markdown_cell(text), new_code_cell(functions[function]), new_code_cell(CHECK.format(id=exercise_id))]
    cells += [new_code_cell(TRY_IT), new_markdown_cell(WEIGHTS), new_code_cell(functions["build_model"]),
              new_code_cell(CHECK.format(id="TestBuildModel")), new_code_cell(EXPLAIN), new_markdown_cell(COMPARE),
              new_code_cell(COMPARE_CODE)]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook
