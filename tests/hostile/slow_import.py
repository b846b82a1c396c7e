# Sleeps while the submission is loaded.
import time


class Slow:
    time.sleep(60)
