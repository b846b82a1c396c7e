# A bounded fork bomb: children sleep, one escapes into its own session; then the worker hangs.
import os
import time


def initialize_parameters_zeros(layers_dims):
    for index in range(8):
        pid = os.fork()
        if pid == 0:
            if index == 0:
                os.setsid()
            try:  # the grader's folder, where the kernel sandbox does not hide it
                with open("{PIDFILE}", "a") as pids:
                    pids.write(f"{os.getpid()}\n")
            except OSError:
                pass
            time.sleep(60)
            os._exit(0)
    while True:
        time.sleep(0.01)
