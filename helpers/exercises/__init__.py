"""Self-checks for the "Check your understanding" exercises.

In a notebook::

    answer = None  # your answer here
    helpers.exercises.check("01.2", answer)

``check`` prints whether the answer is right, or a hint; it never prints the expected value.
The expected values are computed from the datasets by the exercise bank, one module per notebook
(``nb01.py``, ``nb02.py`` ...), never typed in. A bank module registers an exercise with::

    from helpers.exercises import register

    @register("01.2", hint="Clopper-Pearson uses beta quantiles.", kind="number", tol=0.005)
    def _():
        from helpers.design import binomial_ci
        return binomial_ci(4, 22).high

``kind`` is one of ``"number"`` (absolute tolerance ``tol``), ``"integer"``, ``"text"``
(case- and space-insensitive; ``choices`` lists the allowed answers), ``"set"`` (an unordered
collection of texts, e.g. patient ids) or ``"bool"``.
"""
from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("number", "integer", "text", "set", "bool")


@dataclass(frozen=True)
class Exercise:
    id: str
    expected: Callable[[], Any]
    hint: str
    kind: str = "number"
    tol: float = 0.0
    choices: tuple[str, ...] = field(default_factory=tuple)


_REGISTRY: dict[str, Exercise] = {}
_LOADED = False


def register(exercise_id: str, *, hint: str, kind: str = "number", tol: float = 0.0,
             choices: Iterable[str] = ()) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Decorator: register the function that computes the expected answer of ``exercise_id``."""
    if kind not in KINDS:
        raise ValueError(f"exercise {exercise_id!r}: kind={kind!r} is not one of {KINDS}")
    if tol < 0:
        raise ValueError(f"exercise {exercise_id!r}: tol={tol!r} must be >= 0")

    def decorator(func: Callable[[], Any]) -> Callable[[], Any]:
        if exercise_id in _REGISTRY:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        _REGISTRY[exercise_id] = Exercise(exercise_id, func, hint, kind, tol, tuple(choices))
        return func

    return decorator


def _load_bank() -> None:
    global _LOADED
    if _LOADED:
        return
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("nb"):
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


def exercises() -> dict[str, Exercise]:
    """All registered exercises, by id."""
    _load_bank()
    return dict(_REGISTRY)


def _get(exercise_id: str) -> Exercise:
    bank = exercises()
    if exercise_id not in bank:
        raise KeyError(f"no exercise {exercise_id!r}; known exercises: {', '.join(sorted(bank))}")
    return bank[exercise_id]


def _norm_text(value: Any) -> str:
    return " ".join(str(value).strip().lower().split())


def evaluate(exercise_id: str, answer: Any) -> bool:
    """True when ``answer`` is right for ``exercise_id`` (pure; used by ``check`` and the tests)."""
    ex = _get(exercise_id)
    expected = ex.expected()
    if answer is None:
        return False
    if ex.kind == "number":
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return False
        return math.isfinite(value) and abs(value - float(expected)) <= ex.tol + 1e-12
    if ex.kind == "integer":
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return False
        return value == int(expected)
    if ex.kind == "bool":
        return isinstance(answer, bool) and answer == bool(expected)
    if ex.kind == "text":
        return _norm_text(answer) == _norm_text(expected)
    if ex.kind == "set":
        if isinstance(answer, str) or not isinstance(answer, Iterable):
            return False
        return {_norm_text(a) for a in answer} == {_norm_text(e) for e in expected}
    raise AssertionError(ex.kind)  # unreachable: kinds are checked at registration


def check(exercise_id: str, answer: Any) -> None:
    """Print whether ``answer`` is right for ``exercise_id``, or a hint. Never reveals the answer."""
    ex = _get(exercise_id)
    if answer is None:
        print(f"Exercise {exercise_id}: not answered yet. Replace `None` with your answer and run the cell again.\n"
              f"Hint: {ex.hint}")
        return
    if ex.kind == "text" and ex.choices and _norm_text(answer) not in {_norm_text(c) for c in ex.choices}:
        print(f"Exercise {exercise_id}: {answer!r} is not one of the allowed answers: {', '.join(ex.choices)}.")
        return
    if evaluate(exercise_id, answer):
        print(f"Exercise {exercise_id}: correct. Well done.")
    else:
        print(f"Exercise {exercise_id}: not yet. Hint: {ex.hint}")
