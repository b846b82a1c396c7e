# Returns far more data than the grader accepts.
import numpy as np


def initialize_parameters_zeros(layers_dims):
    return {"W1": np.zeros((1000, 1000)), "b1": np.zeros((1000, 1))}
