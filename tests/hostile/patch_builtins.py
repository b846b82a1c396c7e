# Rebinds builtins the worker uses, then returns wrong values.
import builtins

import numpy as np


class Patch:
    builtins.isinstance = lambda *args: True
    builtins.len = lambda *args: 0
    builtins.print = lambda *args, **kwargs: None


def initialize_parameters_zeros(layers_dims):
    return {"W1": np.ones((2, 3)), "b1": np.ones((2, 1))}
