#!/usr/bin/env bash
# Run the whole test suite (unit, property, estimator-parity and notebook tests).
# Usage: ./scripts/test.sh [extra pytest args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
# two pytest workers on two cores: one BLAS thread each, or they fight over the cores
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# lint and format check first: cheap, and a style slip should not wait for a five-minute suite
ruff check --quiet . && ruff format --check --quiet .
python -m pytest -n 2 "$@"
