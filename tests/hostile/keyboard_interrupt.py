def initialize_parameters_zeros(layers_dims):
    raise KeyboardInterrupt
