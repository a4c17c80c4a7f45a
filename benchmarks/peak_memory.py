"""Peak resident memory of the running process alone: ``VmHWM`` of ``/proc/self/status``.

Not ``ru_maxrss``: Linux carries it across ``fork`` and ``execve``, so a child started by a parent
that holds 1 GB reports at least 1 GB whatever it does itself. Measured here: a parent holding
600 MiB starts ``python -c``; the child's ``ru_maxrss`` says 611 MiB, its ``VmHWM`` 9 MiB. The
points benchmark once recorded the same 995.4 MiB for both engines that way: the parent's size
after generating the claims.
"""

from __future__ import annotations

#: the same reading as a one-line expression, for children started with ``python -c``
VMHWM_EXPR = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"


def peak_rss_mib() -> float:
    """This process's own high-water resident set, in MiB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (this benchmark measures memory on Linux only)")
