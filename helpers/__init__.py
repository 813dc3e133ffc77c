"""Helpers for the everolimus-in-CLL teaching collection (Zent et al., Cancer 2010).

The notebooks hold the teaching; this package holds the logic that more than one cell or notebook
needs: validating loaders (:mod:`helpers.data`), the fidelity check against the paper
(:mod:`helpers.fidelity`), design calculators (:mod:`helpers.design`), criteria engines
(:mod:`helpers.response`, :mod:`helpers.eligibility`, :mod:`helpers.treatment`,
:mod:`helpers.toxicity`), survival wrappers (:mod:`helpers.survival`), figures
(:mod:`helpers.plots`), ipywidgets explorers (:mod:`helpers.widgets`) and exercise self-checks
(:mod:`helpers.exercises`).

Submodules are imported lazily on first attribute access, so ``import helpers`` is cheap and
``helpers.design.binomial_ci(4, 22)`` works without a separate import.

For teaching only: nothing here is meant for clinical decisions.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public submodules, imported on first use.
SUBMODULES = (
    "paths",
    "data",
    "fidelity",
    "design",
    "eligibility",
    "treatment",
    "response",
    "mobilization",
    "survival",
    "toxicity",
    "plots",
    "widgets",
    "exercises",
)

PAPER_CITATION = (
    "Zent CS, LaPlant BR, Johnston PB, Call TG, Habermann TM, Micallef IN, Witzig TE. "
    "The treatment of recurrent/refractory chronic lymphocytic leukemia/small lymphocytic "
    "lymphoma (CLL) with everolimus results in clinical responses and mobilization of CLL cells "
    "into the circulation. Cancer. 2010;116(9):2201-2207."
)
PAPER_DOI = "10.1002/cncr.25005"

__all__ = ["__version__", "PAPER_CITATION", "PAPER_DOI", *SUBMODULES]


def __getattr__(name: str):
    if name in SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'helpers' has no attribute {name!r}; submodules are: {', '.join(SUBMODULES)}")


def __dir__():
    return sorted(set(globals()) | set(SUBMODULES))
