"""Named tolerances for comparing our numbers with peers' (one place, so a loosened tolerance is
visible in review). Each says what limits the agreement."""

#: the same closed-form computation in double precision (OLS, influence functions): rounding only
EXACT = 1e-10
#: numbers a peer printed with a fixed number of digits, or computed by an iterative solver
#: (SOCP/LP tolerance ~1e-8, simulated critical values): HonestDiD parity, issue-level promise
HONEST = 1e-4
#: R HonestDiD (and its Python port) take the FLCI critical value from 10^6 simulated normal draws:
#: Monte Carlo sd ~0.1% of the interval length (sample quantile sd sqrt(p(1-p)/n)/f); two sd
HONEST_SIMULATED_REL = 2e-3
#: where the FLCI length is flat in the estimator's weights, that simulation noise moves the
#: chosen centre by up to ~1e-3 (BCdata, M = 0.02); the length itself stays within HONEST_SIMULATED_REL
HONEST_FLAT_CENTRE = 1e-3
#: ends of a grid-inverted confidence set (ARP conditional / hybrid) against the same tool's on the
#: same grid: both are the same grid point (R ``seq`` and numpy ``linspace`` round alike), so only
#: rounding separates them; a different decision at one grid point moves an end by a whole step
#: (3.7e-4 on the Medicaid example), far beyond this
GRID_POINT = 1e-12
#: did-imputation 0.1.0 (Python port of Stata did_imputation) recovers the unit and period effects
#: from their fitted sum by alternating means stopped at a change of 1e-6: its point estimates carry
#: that error (its analytic SEs do not, and are compared at EXACT)
PORT_FE_RECOVERY = 1e-6
#: a bootstrap SE against another tool's bootstrap with different random draws
BOOTSTRAP_REL = 0.1


def printed_half_unit(value: float, significant: int = 3) -> float:
    """Half a unit in the last digit of ``value`` printed with ``significant`` digits (R tibble)."""
    from math import floor, log10

    if value == 0:
        return 0.0
    return 0.5 * 10 ** (floor(log10(abs(value))) - significant + 1)
