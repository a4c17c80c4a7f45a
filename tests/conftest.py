"""Suite-wide setup: the test run keeps its validated-dataset cache to itself.

The loader caches validated datasets in the user's cache folder (toolkit.data.cache). Tests must
neither read a developer's entries nor leave their own behind, so the whole run (and every
xdist worker and notebook kernel it starts, which inherit the environment) uses one temporary
folder, removed at the end.
"""

import atexit
import os
import shutil
import tempfile

if "PYTEST_XDIST_WORKER" not in os.environ:  # the controlling process; workers inherit its choice
    _cache = tempfile.mkdtemp(prefix="toolkit-test-cache-")
    os.environ["TOOLKIT_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, True)
