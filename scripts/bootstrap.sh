#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv from requirements.lock.
# Sourced by scripts/run_sample.sh and scripts/test.sh; needs only Python 3.11 with venv.
# Re-installs only when requirements.lock or pyproject.toml changed (stamp file).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TOOLKIT_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)'; then
  echo "error: Python 3.11 or newer is needed (found $("$PY" --version 2>&1))." >&2
  exit 2
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating virtual environment in $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.toolkit-stamp"
want="$(cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[setup] installing pinned dependencies (requirements.lock); first time takes a minute or two"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.lock"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT"
  # `jupyter nbconvert --to html` then gives self-contained report pages (docs/reports.md)
  "$VENV/bin/python" -m toolkit nbconvert-setup >/dev/null
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
export MPLBACKEND=Agg
