"""The student's notebook for the convolution assignment, in the course's structure and our own words."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ...grading.rule import RULE

CHECK = "!python tests/test_convolution.py --test_case {id}"

INTRO = r"""# Convolutional model, step by step

You will build the two layers that make a convolutional network, a CONV layer and a POOL layer, in plain
NumPy: first their forward passes, then (in the second part) their backward passes.

**Notation and layout.** Arrays hold examples first and channels last:

- `A_prev`, the previous layer's output: `(m, n_H_prev, n_W_prev, n_C_prev)`;
- `W`, the filters: `(f, f, n_C_prev, n_C)`, one `f x f x n_C_prev` filter per output channel;
- `b`, the biases: `(1, 1, 1, n_C)`;
- `hparameters`: `{"stride": ..., "pad": ...}` for a CONV layer, `{"f": ..., "stride": ...}` for a POOL layer.

A layer's output has $n_H = \left\lfloor \frac{n_{H,prev} - f + 2 \cdot pad}{stride} \right\rfloor + 1$ rows
(`n_H = floor((n_H_prev - f + 2 * pad) / stride) + 1`), and likewise `n_W` columns
(pooling does not pad, so there `pad = 0`). Windows that would hang over the edge are not computed.

**Checking.** After each function, run the cell below it. It checks the functions as they are in the running
notebook (nothing to save), and shows the expected and the received values where they differ, with a hint for known mistakes. The
check's cases include pad 0, strides other than 1 and sizes that strides do not divide evenly; your final grade
adds cases of other sizes."""

INTRO += "\n\n**What the checker runs.** " + RULE

SETUP = """import numpy as np

np.set_printoptions(precision=4, suppress=True)"""

PADDING = """## 1 - Zero padding [10 points]

Padding adds a border of zeros around each image. It lets a CONV layer keep the height and width of its input
(a "same" convolution: `pad = (f - 1) / 2` at stride 1), and it lets the filters see the pixels at the border as
often as those in the middle. Only the height and the width are padded: the examples and the channels are not.

`np.pad` takes one `(before, after)` pair per axis."""

PADDING_DEMO = """x = np.random.randn(4, 3, 3, 2)
x_pad = zero_pad(x, 3)
print("x.shape =", x.shape, " x_pad.shape =", x_pad.shape)
print("x_pad[1, 1] =", x_pad[1, 1])"""

SINGLE_STEP = r"""## 2 - A single step of convolution [10 points]

One step applies one filter to one window: multiply the window and the filter entry by entry, sum everything, and
add the filter's bias: $Z = \sum_{h, w, c} a_{slice}[h, w, c] \, W[h, w, c] + b$.
Sliding this step over every window of the input is the convolution. (The deep learning
"convolution" does not flip the filter; mathematicians would call it a cross-correlation.)

`b` arrives as an array of shape `(1, 1, 1)`; `Z` must be a number. NumPy 2 refuses `float(b)` for such an array:
use `float(np.squeeze(b))` or `b.item()`."""

FORWARD = """## 3 - Convolution forward [20 points]

For every example `i`, output row `h`, output column `w` and filter `c`, take the window of the padded input that
starts at row `h * stride` and column `w * stride`, and apply filter `c` to it with `conv_single_step`."""

SEED_NOTE = """### How Z starts

Every entry of `Z` is overwritten, so `np.zeros`, `np.ones` or `np.empty` are all right. Prefer `np.zeros`: a
function that draws random numbers it does not need (`np.random.randn`) shifts every random number drawn after it
in your notebook, and the checker tells you when yours does."""

FORWARD_DEMO = """np.random.seed(1)
A_prev = np.random.randn(2, 5, 7, 4)
W = np.random.randn(3, 3, 4, 8)
b = np.random.randn(1, 1, 1, 8)
Z, cache_conv = conv_forward(A_prev, W, b, {"pad": 1, "stride": 2})
print("Z.shape =", Z.shape, " Z's mean =", np.mean(Z))

# A filter is an f x f x n_C_prev block of weights; here are two of its 3 x 3 slices (channel 0 of filters 0 and 1).
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(4, 2))
for c, ax in enumerate(axes):
    ax.imshow(W[:, :, 0, c], cmap="gray")
    ax.set_title(f"filter {c}, channel 0")
    ax.axis("off")
plt.show()"""

POOLING = """## 4 - Pooling forward [15 points]

A POOL layer shrinks the height and the width and has no parameters. Max pooling keeps the largest entry of each
`f x f` window, average pooling its mean. Each channel is pooled on its own, so `n_C = n_C_prev`, and there is no
padding."""

POOLING_DEMO = """np.random.seed(1)
A_prev = np.random.randn(2, 5, 5, 3)
for mode in ("max", "average"):
    A, cache = pool_forward(A_prev, {"stride": 1, "f": 3}, mode=mode)
    print(mode, "A.shape =", A.shape, " A[1, 1] =", A[1, 1].ravel())"""

BACKWARD = """## 5 - Backpropagation

Frameworks compute these for you; writing them once shows where each gradient comes from. Each function returns
the gradients of the cost with respect to a layer's inputs, given the gradient with respect to its output.

### 5.1 - Convolution backward [20 points]

Every window that produced `Z[i, h, w, c]` receives `W[:, :, :, c] * dZ[i, h, w, c]` in `dA_prev`; the filter
`W[:, :, :, c]` receives that window of the input times `dZ[i, h, w, c]`; the bias `b[c]` receives
`dZ[i, h, w, c]` itself. Windows overlap when `stride < f`, so contributions are *added*. The result is a sum over
the examples: any `1/m` is already in `dZ`.

The checker also compares your gradients with finite differences of `sum(dZ * conv_forward(A_prev, W, b)[0])`,
whose gradient is exactly what `conv_backward` returns."""

MAX_POOL_BACKWARD = """### 5.2 - Pooling backward [25 points: the mask 5, sharing a gradient 5, pool_backward 15]

**Max pooling: the mask [5 points].** Only the window's maximum affected the output, so only it receives the gradient. The mask marks
it. *Ties:* the course writes the mask as `x == np.max(x)`, which marks every tied maximum, and says ties need not
be considered. Our reference marks every maximum too, and a mask that marks only one maximum (`np.argmax`) is
accepted as well: the test inputs are random real numbers, which never tie, and there the two agree. (With ties,
neither is the derivative: `gradelab study cnn` shares the gradient among tied maxima instead, and says why.)"""

MASK_DEMO = """x = np.array([[1.0, 3.0, -2.0], [0.5, -1.0, 2.0]])
print(create_mask_from_window(x))"""

AVERAGE_BACKWARD = """**Average pooling: sharing a gradient [5 points].** Every entry of the window contributed `1 / (n_H * n_W)` of
the output, so each receives
that share of the gradient."""

DISTRIBUTE_DEMO = """print(distribute_value(2.0, (2, 2)))"""

POOL_BACKWARD = """**Putting it together [15 points].** `pool_backward` loops over the windows as `pool_forward` does and adds
each window's share into `dA_prev`. The checker also compares it with finite differences of
`sum(dA * pool_forward(A_prev)[0])`."""

POOL_BACKWARD_DEMO = """np.random.seed(1)
A_prev = np.random.randn(5, 5, 3, 2)
A, cache = pool_forward(A_prev, {"stride": 1, "f": 2})
dA = np.random.randn(5, 4, 2, 2)
for mode in ("max", "average"):
    dA_prev = pool_backward(dA, cache, mode=mode)
    print(mode, "mean of dA =", np.mean(dA), " dA_prev[1, 1] =", dA_prev[1, 1].ravel())"""

NEXT = """## What next

These loops are slow, and that is fine: they are here to be read. `gradelab study cnn` trains a small CNN on 8x8
digits with a vectorized version of the same functions (CONV 3x3 -> RELU -> MAX POOL -> softmax) in a few seconds,
and writes its cost curve and learned filters:

    gradelab study cnn --out out/study-cnn

## What to remember

- Padding keeps the height and width and lets the border count; only the height and the width are padded.
- A CONV layer slides one filter per output channel over the padded input; its output size is
  `floor((n_prev - f + 2 pad) / stride) + 1`.
- A POOL layer has no parameters; it pools each channel on its own.
- Backward passes add the contributions of every window: windows overlap when `stride < f`."""

SECTIONS = [  # (markdown before, function, exercise id, demo after the check)
    (PADDING, "zero_pad", "zero_pad_test", PADDING_DEMO),
    (SINGLE_STEP, "conv_single_step", "conv_single_step_test", None),
    (FORWARD, "conv_forward", "conv_forward_test", FORWARD_DEMO),
    (POOLING, "pool_forward", "pool_forward_test", POOLING_DEMO),
    (BACKWARD, "conv_backward", "conv_backward_test", None),
    (MAX_POOL_BACKWARD, "create_mask_from_window", "create_mask_from_window_test", MASK_DEMO),
    (AVERAGE_BACKWARD, "distribute_value", "distribute_value_test", DISTRIBUTE_DEMO),
    (POOL_BACKWARD, "pool_backward", "pool_backward_test", POOL_BACKWARD_DEMO),
]


def build(functions: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook, with each graded function in its own cell followed by its check."""
    cells = [new_markdown_cell(INTRO), new_code_cell(SETUP)]
    for text, function, exercise_id, demo in SECTIONS:
        cells += [new_markdown_cell(text), new_code_cell(functions[function]), new_code_cell(CHECK.format(id=exercise_id))]
        if demo is not None:
            cells.append(new_code_cell(demo))
        if function == "conv_forward":
            cells.append(new_markdown_cell(SEED_NOTE))
    cells.append(new_markdown_cell(NEXT))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook
