"""Code that runs *inside* a reused kernel: warm it up once, then wipe it between notebooks.

The fast batch mode (:mod:`toolkit.batch.kernel_pool`) keeps one kernel per worker process and
runs notebook after notebook in it. A notebook must not see anything the previous one left, so
between notebooks :func:`reset` does what a fresh kernel would give for free:

* every user variable goes (IPython's ``%reset -f``: ``shell.reset(new_session=False)``), and the
  execution counter restarts at 1;
* every matplotlib figure is closed; ``rcParams`` return to the state after warm-up, so a
  notebook that changes a font size does not change the next county's figures;
* the working directory, ``sys.path`` and warning filters return to their warm-up values;
* garbage is collected, so memory does not creep over a 100-report batch. What survives a
  collection (imported modules, their caches) is then frozen (``gc.freeze``): the collector
  never walks it again. Without that, each reset paid for two full walks of ≈190,000 objects
  (IPython's reset collects too) — 0.2–0.3 s a report, most of the batch's overhead (benchmarks/bench_batch.py).
  Frozen objects are still freed by reference counting; only a reference cycle that becomes
  garbage *after* being frozen stays until the kernel restarts (every ``restart_every`` reports);
* pandas display and behaviour options (``pd.set_option``) return to their warm-up values.

Imported modules stay imported: that is the whole saving (imports cost ≈1 s a notebook). A
module that changes global state *when imported* is therefore warmed up (imported) before the
baseline is taken, so every notebook sees the same state whether it runs first or hundredth.
Not restored: module-level caches (they hold results keyed by their inputs, which is the point).
"""

from __future__ import annotations

import copy
import gc
import importlib
import os
import pkgutil
import sys
import warnings

_baseline: dict = {}
#: rcParams that describe the kernel rather than the style; never rolled back
_NOT_RESTORED = {"backend", "backend_fallback", "interactive"}

#: imported before the baseline is taken (import-time side effects become part of it)
DEFAULT_WARM_MODULES = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot")


def _toolkit_report_modules() -> list[str]:
    import toolkit.report as report

    return sorted(f"toolkit.report.{m.name}" for m in pkgutil.iter_modules(report.__path__))


def warm_up(modules: tuple[str, ...] | list[str] | None = None) -> list[str]:
    """Import the modules every report uses and record the baseline state. Returns what failed."""
    failed = []
    names = list(DEFAULT_WARM_MODULES if modules is None else modules) + _toolkit_report_modules()
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # a module still being written must not stop the batch; the notebook will say
            failed.append(name)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        # matplotlib resolves its backend lazily; resolve it now, so the inline integration
        # (interactive mode, figures shown at the end of each cell) is part of the baseline
        plt.figure()
        plt.close("all")
    _baseline.clear()
    gc.collect()
    gc.freeze()  # the warm-up's objects live as long as the kernel: keep them out of every later collection
    _baseline["pandas"] = _pandas_options()
    _baseline["cwd"] = os.getcwd()
    _baseline["sys_path"] = list(sys.path)
    _baseline["warnings"] = list(warnings.filters)
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        rc = {k: v for k, v in dict(mpl.rcParams).items() if k not in _NOT_RESTORED}
        _baseline["rc"] = copy.deepcopy(rc)
    return failed


def _pandas_options() -> dict | None:
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    registered = pd._config.config._registered_options  # every option pandas knows, deprecated ones too
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {key: copy.deepcopy(pd.get_option(key)) for key in registered}


def _restore_pandas_options(saved: dict) -> None:
    pd = sys.modules["pandas"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in saved.items():
            if pd.get_option(key) != value:  # set_option runs validators and callbacks: only for what changed
                pd.set_option(key, value)


def reset(shell) -> None:
    """Return the kernel to its warm-up state (see module docstring)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and "rc" in _baseline:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # the snapshot was validated when it was set; dict.update skips re-validating it
            dict.update(mpl.rcParams, copy.deepcopy(_baseline["rc"]))
    if _baseline.get("pandas"):
        _restore_pandas_options(_baseline["pandas"])
    if "cwd" in _baseline:
        os.chdir(_baseline["cwd"])
        sys.path[:] = _baseline["sys_path"]
        warnings.filters[:] = _baseline["warnings"]
        warnings._filters_mutated()  # type: ignore[attr-defined]  # invalidate the cached filter lookups
    shell.reset(new_session=False)  # collects garbage (IPython's displayhook.flush runs gc.collect)
    shell.execution_count = 1
    gc.collect()  # cheap: only what the last notebook allocated and kept is walked
    gc.freeze()  # what survived is module state (caches); do not walk it again after the next report


#: what the host sends after each notebook (silently: it leaves no trace in any output)
RESET_CODE = "import toolkit.batch.kernel_side as __k; __k.reset(get_ipython())"  # reset() removes __k too


def warm_up_code(modules: tuple[str, ...] | list[str] | None = None) -> str:
    return (
        "import toolkit.batch.kernel_side as __k\n"
        f"__k.warm_up({list(modules) if modules is not None else None!r})\n"
        "__k.reset(get_ipython())\n"
    )
