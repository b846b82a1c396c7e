# An empty dict for the parameters.
def initialize_parameters_zeros(layers_dims):
    return {}
