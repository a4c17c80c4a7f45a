"""A task for the batch-lifetime test: importable, so a spawned worker can run it."""

import os
import time
from pathlib import Path


def write_later(path: str, delay: float) -> int:
    time.sleep(delay)
    Path(path).write_text("written after the batch died", encoding="utf-8")
    return os.getpid()


def kernel_heartbeat(pidfile: str, beat: str, isolated: bool = False) -> None:
    """Run a notebook whose kernel writes its pid, then rewrites ``beat`` every 20 ms for 30 s."""
    import nbformat

    cells = [
        f"import os, time\nopen({pidfile!r}, 'w').write(str(os.getpid()))",
        f"for i in range(1500):\n    open({beat!r}, 'w').write(str(i))\n    time.sleep(0.02)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    if isolated:
        from toolkit.batch.kernel_pool import execute_isolated

        execute_isolated(nb, timeout=120)
    else:
        from toolkit.batch.kernel_pool import process_kernel

        process_kernel(0).execute(nb, timeout=120)
