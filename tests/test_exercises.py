"""The self-check API: every registered exercise accepts its right answer and rejects a wrong one,
and `check` never prints the expected value."""
from __future__ import annotations

import pytest

from helpers import exercises
from helpers.exercises import check, evaluate, register


def _wrong(ex, expected):
    if ex.kind == "number":
        return float(expected) + 10 * ex.tol + 1.0
    if ex.kind == "integer":
        return int(expected) + 1
    if ex.kind == "bool":
        return not bool(expected)
    if ex.kind == "text":
        return "certainly not " + str(expected)
    if ex.kind == "set":
        return set(expected) ^ {"not-an-answer"}
    raise AssertionError(ex.kind)


BANK = exercises.exercises()


@pytest.mark.parametrize("exercise_id", sorted(BANK))
def test_registered_exercise_accepts_right_and_rejects_wrong(exercise_id, capsys):
    ex = BANK[exercise_id]
    expected = ex.expected()
    assert evaluate(exercise_id, expected)
    assert not evaluate(exercise_id, _wrong(ex, expected))
    assert not evaluate(exercise_id, None)
    check(exercise_id, _wrong(ex, expected))
    out = capsys.readouterr().out
    assert "not yet" in out and "Hint:" in out
    if ex.kind in ("number", "integer"):
        assert f"{expected}" not in out.replace(exercise_id, "")


def test_kinds_and_messages(capsys):
    register("99.1", hint="think", kind="number", tol=0.01)(lambda: 0.25)
    register("99.2", hint="count", kind="set")(lambda: {"P01", "P02"})
    register("99.3", hint="pick", kind="text", choices=("PR", "SD", "PD"))(lambda: "SD")
    try:
        assert evaluate("99.1", 0.255) and not evaluate("99.1", 0.27) and not evaluate("99.1", "abc")
        assert evaluate("99.2", ["p02", "P01 "]) and not evaluate("99.2", "P01P02")
        assert evaluate("99.3", " sd ") and not evaluate("99.3", "PD")
        check("99.1", None)
        assert "not answered yet" in capsys.readouterr().out
        check("99.3", "maybe")
        assert "not one of the allowed answers: PR, SD, PD" in capsys.readouterr().out
        check("99.1", 0.25)
        assert "correct" in capsys.readouterr().out
    finally:
        for key in ("99.1", "99.2", "99.3"):
            exercises._REGISTRY.pop(key, None)


def test_errors_name_what_is_allowed():
    with pytest.raises(KeyError, match="no exercise '42.42'"):
        check("42.42", 1)
    with pytest.raises(ValueError, match="kind='fuzzy' is not one of"):
        register("99.9", hint="x", kind="fuzzy")
    register("99.8", hint="x")(lambda: 1)
    try:
        with pytest.raises(ValueError, match="registered twice"):
            register("99.8", hint="x")(lambda: 1)
    finally:
        exercises._REGISTRY.pop("99.8", None)
