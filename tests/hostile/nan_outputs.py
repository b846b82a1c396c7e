import numpy as np


def initialize_parameters_he(layers_dims, seed):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.full((layers_dims[l], layers_dims[l - 1]), np.nan)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
