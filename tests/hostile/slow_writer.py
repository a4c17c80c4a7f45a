"""A task for the batch-lifetime test: importable, so a spawned worker can run it."""

import os
import time
from pathlib import Path


def write_later(path: str, delay: float) -> int:
    time.sleep(delay)
    Path(path).write_text("written after the batch died", encoding="utf-8")
    return os.getpid()
