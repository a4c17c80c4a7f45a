"""Money to the fen (0.01 yuan): conversion and exact splitting.

Every rule in :mod:`toolkit.settlement` works in integer fen so that parts always add up to their
whole (rules.md §5 "Money is conserved"; seed 000 §3.1–3.2 split pools by shares 4:4:2 and 7:2:1).
Conversion from yuan happens once, at the edge, with half-up rounding; every later split uses the
largest-remainder method, whose result adds up exactly to the total.

Ties between equal remainders are broken by the *order of the weights* (the first weight wins),
never by the order of rows in a file: callers pass weights in key order (e.g. sorted by unit_id).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from math import lcm

import numpy as np

__all__ = ["yuan_to_fen", "to_fen", "fen_to_yuan", "allocate", "allocate_rows", "integer_weights"]

#: floats are first rounded to this many decimals of a fen, to remove binary noise such as
#: 1.005 * 100 == 100.49999999999999 before the half-up rule is applied.
_NOISE_DECIMALS = 4


def yuan_to_fen(yuan) -> np.ndarray:
    """Yuan (float array-like) → integer fen, rounded half away from zero.

    ``1.005`` yuan → 101 fen (as written, not as the binary float happens to store it).
    Missing values (NaN) raise ``ValueError``: callers validate data before converting.
    """
    arr = np.asarray(yuan, dtype="float64")
    if np.isnan(arr).any():
        raise ValueError("cannot convert a missing amount to fen")
    scaled = np.round(arr * 100.0, _NOISE_DECIMALS)
    fen = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
    return fen.astype("int64")


def to_fen(yuan: float) -> int:
    """One amount in yuan → integer fen (half away from zero), same rule as :func:`yuan_to_fen`."""
    return int(yuan_to_fen([yuan])[0])


def fen_to_yuan(fen) -> np.ndarray | float:
    """Integer fen → yuan as float (exact to two decimals when printed with ``%.2f``)."""
    if np.isscalar(fen):
        return int(fen) / 100.0
    return np.asarray(fen, dtype="int64") / 100.0


def integer_weights(weights: Sequence) -> list[int]:
    """Exact integer weights proportional to ``weights`` (see :func:`_integer_weights`)."""
    key = tuple(weights)
    try:
        return list(_integer_weights_cached(key))
    except TypeError:  # unhashable weights
        return _integer_weights(key)


@lru_cache(maxsize=4096)
def _integer_weights_cached(weights: tuple) -> tuple[int, ...]:
    return tuple(_integer_weights(weights))


def _integer_weights(weights: Sequence) -> list[int]:
    """Exact integer weights proportional to ``weights`` (0.4, 0.4, 0.2 → 2, 2, 1).

    Floats are read as their shortest decimal text (``0.1`` means one tenth), so shares written
    in the parameter files split money exactly as written.
    """
    fracs = [
        w if isinstance(w, Fraction) else Fraction(str(w)) if isinstance(w, float) else Fraction(w) for w in weights
    ]
    if any(f < 0 for f in fracs):
        raise ValueError(f"weights must be non-negative, got {list(weights)!r}")
    denom = lcm(*(f.denominator for f in fracs)) if fracs else 1
    ints = [int(f * denom) for f in fracs]
    # reduce by the common divisor to keep products small
    from math import gcd

    g = 0
    for v in ints:
        g = gcd(g, v)
    return [v // g for v in ints] if g > 1 else ints


def allocate_rows(totals, weights: Sequence) -> np.ndarray:
    """Split each total (integer fen) by the same weights; every row adds up to its total exactly.

    Largest remainder: each part gets ``floor(total × w / W)``; the fen left over go one each to
    the parts with the largest remainders, ties to the earlier weight. Negative totals are split
    as their absolute value and negated (so an overspend splits like a saving).

    >>> allocate_rows([100, 101], [0.4, 0.4, 0.2]).tolist()
    [[40, 40, 20], [41, 40, 20]]
    """
    totals = np.asarray(totals, dtype="int64").reshape(-1)
    iw = integer_weights(weights)
    k = len(iw)
    if k == 0:
        raise ValueError("allocate needs at least one weight")
    big_w = sum(iw)
    if big_w == 0:
        if np.any(totals != 0):
            raise ValueError("cannot split a non-zero amount by weights that are all zero")
        return np.zeros((len(totals), k), dtype="int64")
    sign = np.where(totals < 0, -1, 1).astype("int64")
    absolute = np.abs(totals)
    max_total = int(absolute.max()) if len(absolute) else 0
    if max(max_total, 1) * max(iw) < 2**62 and big_w < 2**62:
        w = np.asarray(iw, dtype="int64")
        prod = absolute[:, None] * w[None, :]
        base = prod // big_w
        rem = prod - base * big_w
    else:  # exact Python integers when int64 could overflow
        w = np.asarray(iw, dtype=object)
        prod = absolute.astype(object)[:, None] * w[None, :]
        base = prod // big_w
        rem = prod - base * big_w
        base = base.astype("int64")
        rem = np.vectorize(lambda r: Fraction(int(r), big_w), otypes=[object])(rem).astype("float64")
    leftover = absolute - base.sum(axis=1)
    # rank parts by remainder, largest first; a stable sort keeps the earlier weight first on ties
    order = np.argsort(-rem, axis=1, kind="stable")
    rank = np.empty_like(order)
    rows = np.arange(len(totals))[:, None]
    rank[rows, order] = np.arange(k)[None, :]
    parts = base + (rank < leftover[:, None]).astype("int64")
    return parts * sign[:, None]


def allocate(total_fen: int, weights: Sequence) -> list[int]:
    """Split one amount of integer fen by ``weights``; the parts add up to ``total_fen`` exactly.

    >>> allocate(100, [1, 1, 1])
    [34, 33, 33]
    """
    return [int(v) for v in allocate_rows([int(total_fen)], weights)[0]]
