"""Independent, deliberately slow reference for Simon designs (tests only).

A direct transcription of the search that R clinfun::ph2simon performs (its Fortran routine
``f2bdry``): plain Python loops over n, n1, r1 (descending) and r (descending), with the
rejection probabilities accumulated exactly as clinfun does. No NumPy vectorisation, no shared
code with helpers.design, so agreement is evidence, not tautology.
"""
from __future__ import annotations

from math import comb


def _pmf(x: int, n: int, p: float) -> float:
    if x < 0 or x > n:
        return 0.0
    return comb(n, x) * p**x * (1 - p) ** (n - x)


def _upper(x: int, n: int, p: float) -> float:
    """P(X >= x) for X ~ Bin(n, p)."""
    if x <= 0:
        return 1.0
    return sum(_pmf(k, n, p) for k in range(x, n + 1))


def ph2simon_reference(pu: float, pa: float, ep1: float, ep2: float, nmax: int):
    """Rows (r1, n1, r, n, EN0, PET0), one per n with a feasible design, clinfun's order."""
    pmf0 = {(m, x): _pmf(x, m, pu) for m in range(nmax + 1) for x in range(m + 1)}
    pmf1 = {(m, x): _pmf(x, m, pa) for m in range(nmax + 1) for x in range(m + 1)}
    up0 = {(m, x): _upper(x, m, pu) for m in range(nmax + 1) for x in range(m + 1)}
    up1 = {(m, x): _upper(x, m, pa) for m in range(nmax + 1) for x in range(m + 1)}
    rows = []
    for n in range(2, nmax + 1):
        essn = float(n)
        row = None
        for n1 in range(1, n):
            n2 = n - n1
            bp0 = [0.0] * (n + 2)
            bp1 = [0.0] * (n + 2)
            pet = 1.0
            for r1f in range(n1, -1, -1):          # continue when X1 >= r1f
                pet -= pmf0[(n1, r1f)]
                for rf in range(n2 + r1f, r1f - 1, -1):  # promising when X >= rf
                    bp0[rf] += pmf0[(n1, r1f)] * up0[(n2, rf - r1f)]
                    bp1[rf] += pmf1[(n1, r1f)] * up1[(n2, rf - r1f)]
                    if bp0[rf] < ep1 and 1 - bp1[rf] < ep2:
                        ess = n1 + (1 - pet) * n2
                        if ess < essn:
                            essn = ess
                            row = (r1f - 1, n1, rf - 1, n, ess, pet)
                for rf in range(0, r1f):
                    bp0[rf] = bp0[r1f]
                    bp1[rf] = bp1[r1f]
        if row is not None:
            rows.append(row)
    return rows
