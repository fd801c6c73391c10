"""Our one door to the JSON-Logic engine (datalogic-py), so it could be replaced.

Decisions made here, once, for every condition in every definition:

* **Unanswered** means absent, ``null``, an empty or blank string, or an empty list. Such answers
  are removed from the data a rule sees (:func:`logic_data`), so ``var`` reads ``null``,
  ``missing`` lists the question, and ``!!`` is false, whichever operator an author uses.
  (Left alone, datalogic's ``missing`` would count ``""`` and ``null`` as answered.)
* **Only an allow-list of operators** (:data:`ALLOWED_OPERATORS`): the JsonLogic core, nothing
  that reaches outside the data. Rules are also capped in depth and size when a definition loads.
* **Evaluation never raises**: division by zero, arithmetic on text, a blown operation budget or
  any other engine failure evaluate to ``null``, which is false wherever a condition is expected.
  Data nested deeper than :data:`MAX_DATA_DEPTH` is never handed to the engine (converting it
  would overflow its native stack and kill the process): :func:`logic_data` leaves it out, and
  the flow's context never holds it.
* A Python ``str`` given to datalogic is parsed as JSON text, so literal rules are always handed
  over as JSON text we made ourselves.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import datalogic_py

from .dates import DATE_OPERATORS
from .fastpath import FALLBACK, specialise
from .types import JSON, MAX_INTEGER, MIN_INTEGER

ALLOWED_OPERATORS: Final = frozenset(
    {
        "var", "val", "missing", "missing_some", "if", "?:",
        "==", "===", "!=", "!==", "!", "!!", "or", "and",
        ">", ">=", "<", "<=", "max", "min",
        "+", "-", "*", "/", "%",
        "map", "reduce", "filter", "all", "none", "some", "merge",
        "in", "cat", "substr",
        *DATE_OPERATORS,
    }
)  # fmt: skip

MAX_RULE_DEPTH: Final = 32
MAX_RULE_NODES: Final = 500
#: Operations one evaluation may charge; a rule that iterates huge lists stops here.
OPS_BUDGET: Final = 20_000

_ENGINE: Final = datalogic_py.Engine(
    families=["Core"],
    custom_operators=DATE_OPERATORS,
    config={
        "division_by_zero": "return_null",
        "arithmetic_nan_handling": "return_null",
        "ops_budget": OPS_BUDGET,
    },
)


#: How deeply the data a rule reads may nest. Answers nest three levels at most (records of
#: fields holding lists); datalogic converts data recursively in native code, and about 20,000
#: levels overflow the main thread's stack (a segmentation fault, not an exception).
MAX_DATA_DEPTH: Final = 100
#: Values that cannot nest, so need no depth check: the common case stays one set look-up.
_FLAT: Final = frozenset({str, int, float, bool, type(None)})


def nests_too_deep(value: JSON) -> bool:
    """Whether ``value`` nests lists or mappings deeper than :data:`MAX_DATA_DEPTH`.

    Walked level by level rather than recursively, so that the check itself cannot overflow;
    a scalar, or a list of scalars (a multiple-choice answer), is settled at once.
    """
    if type(value) in _FLAT:
        return False
    if type(value) is list:
        for item in value:
            if type(item) not in _FLAT:
                break
        else:
            return False
    level = [value]
    for _ in range(MAX_DATA_DEPTH + 1):
        inner: list[JSON] = []
        for item in level:
            kind = type(item)
            if kind in _FLAT:
                continue
            if kind is dict or isinstance(item, Mapping):
                inner.extend(item.values())
            elif kind is list or isinstance(item, tuple | set | frozenset | list):
                inner.extend(item)
        if not inner:
            return False
        level = inner
    return True


def is_unanswered(value: JSON) -> bool:
    """The single definition of an unanswered question, shared by the flow and every operator."""
    if value is None or value == []:
        return True
    return isinstance(value, str) and not value.strip()


def logic_data(answers: Mapping[str, JSON]) -> dict[str, JSON]:
    """The data a rule sees: ``answers`` without the unanswered ones, nor those nested deeper
    than :data:`MAX_DATA_DEPTH` (no question's answer does; the engine must never get them)."""
    return {
        key: value
        for key, value in answers.items()
        if not is_unanswered(value) and not nests_too_deep(value)
    }


@dataclass(frozen=True)
class RuleProblem:
    """A problem found in a rule before it runs; ``pointer`` is a JSON pointer into the rule."""

    message: str
    pointer: str = ""


def _walk(rule: JSON, pointer: str, depth: int, problems: list[RuleProblem]) -> int:
    """Check operators and depth; return the number of nodes below and including ``rule``."""
    if depth > MAX_RULE_DEPTH:
        problems.append(RuleProblem(f"rule nests deeper than {MAX_RULE_DEPTH} levels", pointer))
        return MAX_RULE_NODES + 1
    if isinstance(rule, list):
        return 1 + sum(
            _walk(item, f"{pointer}/{i}", depth + 1, problems) for i, item in enumerate(rule)
        )
    if not isinstance(rule, dict):
        problem = _literal_problem(rule)
        if problem:
            problems.append(RuleProblem(problem, pointer))
        return 1
    if len(rule) != 1:
        problems.append(
            RuleProblem("an operation is an object with exactly one operator key", pointer)
        )
        return 1
    ((operator, args),) = rule.items()
    if operator not in ALLOWED_OPERATORS:
        from .diagnostics import did_you_mean

        hint = did_you_mean(str(operator), sorted(ALLOWED_OPERATORS))
        problems.append(RuleProblem(f"operator '{operator}' is not allowed{hint}", pointer))
        return 1
    return 1 + _walk(args, f"{pointer}/{pointer_token(str(operator))}", depth + 1, problems)


def _literal_problem(value: JSON) -> str | None:
    """Why the engine cannot take ``value`` as a literal, or None when it can.

    datalogic raises, rather than reporting a problem, on such values: a definition whose
    rule held one would stop the loader instead of getting a diagnostic.
    """
    if value is None or isinstance(value, bool | str):
        return None
    if isinstance(value, int):
        if MIN_INTEGER <= value <= MAX_INTEGER:
            return None
        return f"number is out of range: integers lie between {MIN_INTEGER} and {MAX_INTEGER}"
    if isinstance(value, float):
        return None if math.isfinite(value) else "JSON has no infinity or NaN"
    return f"{type(value).__name__} values are not JSON"


def pointer_token(token: str) -> str:
    """``token`` escaped for a JSON pointer: operators such as ``/`` are tokens too."""
    return token.replace("~", "~0").replace("/", "~1")


def check_rule(rule: JSON) -> list[RuleProblem]:
    """Every problem in ``rule``: operators outside the allow-list, size, depth, arity."""
    problems: list[RuleProblem] = []
    size = _walk(rule, "", 0, problems)
    if size > MAX_RULE_NODES and not any("deeper" in p.message for p in problems):
        problems.append(RuleProblem(f"rule has more than {MAX_RULE_NODES} parts"))
    if problems:
        return problems
    try:
        found_by_engine = _ENGINE.check(_as_engine_input(rule))
    except datalogic_py.DataLogicError as exc:  # whatever our own checks let through
        return [RuleProblem(f"the engine cannot read this rule: {exc}")]
    for found in found_by_engine:
        if found["severity"] == "error":
            problems.append(RuleProblem(found["message"].replace("`", "'"), found["pointer"]))
    return problems


def _as_engine_input(rule: JSON) -> JSON:
    # A bare str would be read as JSON text by datalogic: hand over JSON text of our own.
    return json.dumps(rule) if isinstance(rule, str) else rule


_EVALUATION_ERRORS = (datalogic_py.DataLogicError, OverflowError, ValueError, TypeError)


class CompiledRule:
    """A rule compiled once per definition version, with the answers it reads.

    Evaluation is the hot path of every request and costs little beyond the engine call
    itself, so the Python around it is kept to a minimum:

    * only the top-level answers the rule reads are handed to the engine, so the cost of an
      evaluation does not grow with the number of answers;
    * most conditions test a single answer, so that case has its own branch (no loop);
    * when the single answer a rule reads is not given, :meth:`holds` does not call the engine:
      rules are deterministic, so that truth value was computed once, when the rule compiled;
    * the most common shapes of condition are also compiled to Python (:mod:`.fastpath`), which
      :meth:`holds` tries first: for answers of the types it knows, no engine call at all.

    The data must be what :func:`logic_data` gives, or the flow's context: nothing in it nests
    deeper than :data:`MAX_DATA_DEPTH`. That is checked where the data is made rather than on
    every call, which would cost the hot path a quarter of its speed.
    """

    __slots__ = (
        "_fast", "_if_unanswered", "_key", "_keys", "_rule", "reads", "reads_everything", "source"
    )  # fmt: skip

    def __init__(
        self,
        source: JSON,
        reads: frozenset[str],
        reads_everything: bool,
        compiled: datalogic_py.Rule,
        *,
        deterministic: bool,
    ) -> None:
        self.source = source
        self.reads = reads
        self.reads_everything = reads_everything
        self._rule = compiled
        keys = None if reads_everything else tuple(sorted(reads))
        #: The answers handed over, or None when the rule may read any of them.
        self._keys = keys
        #: The only answer the rule reads, if it reads exactly one (the common case). The branch
        #: that uses it relies on ``_if_unanswered``, hence on the rule being deterministic.
        self._key = keys[0] if keys is not None and len(keys) == 1 and deterministic else None
        #: What ``holds`` gives when that single answer is not given: the rule's truth on no data.
        self._if_unanswered = self._truth({})
        #: The rule as Python, for the shapes :mod:`.fastpath` knows.
        self._fast = specialise(source)

    def __repr__(self) -> str:
        return f"CompiledRule({self.source!r})"

    def _payload(self, data: Mapping[str, JSON] | JSON) -> JSON:
        keys = self._keys
        if type(data) is dict and keys is not None:
            payload = {}
            for key in keys:
                if key in data:
                    payload[key] = data[key]
            return payload
        if not isinstance(data, Mapping):
            return _as_engine_input(data)
        if keys is None:
            return dict(data)
        return {key: data[key] for key in keys if key in data}

    def _truth(self, payload: JSON) -> bool:
        try:
            return bool(self._rule.evaluate(payload))
        except _EVALUATION_ERRORS:
            return False

    def evaluate(self, data: Mapping[str, JSON] | JSON) -> JSON:
        """The rule's value for ``data`` (already passed through :func:`logic_data`); never raises."""
        key = self._key
        if key is not None and type(data) is dict:
            payload = {key: data[key]} if key in data else {}
        else:
            payload = self._payload(data)
        try:
            return self._rule.evaluate(payload)
        except _EVALUATION_ERRORS:
            return None

    def holds(self, data: Mapping[str, JSON]) -> bool:
        """Whether the rule is truthy for ``data`` (JsonLogic truthiness; ``null`` is false).

        The body inlines :meth:`_truth` on purpose: one Python call less on the hot path.
        """
        if type(data) is dict:
            fast = self._fast
            if fast is not None:
                found = fast(data)
                if found is not FALLBACK:
                    return found  # type: ignore[return-value]  # True or False
            key = self._key
            if key is not None:
                if key not in data:
                    return self._if_unanswered
                payload = {key: data[key]}
            else:
                payload = self._payload(data)
        else:
            payload = self._payload(data)
        try:
            return bool(self._rule.evaluate(payload))
        except _EVALUATION_ERRORS:
            return False


def truthy(value: JSON) -> bool:
    """JsonLogic's truthiness: empty lists and objects are false, as are 0, "" and null."""
    return bool(value)


def compile_rule(rule: JSON) -> CompiledRule:
    """Compile ``rule``; callers check it first with :func:`check_rule`."""
    compiled = _ENGINE.compile(_as_engine_input(rule))
    facts = compiled.facts()
    reads = frozenset(str(path[0]) for path in facts["reads"] if path)
    # An empty path (``{"var": ""}``) reads the whole data, as does a path computed at run time.
    whole = not facts["reads_complete"] or any(not path for path in facts["reads"])
    return CompiledRule(
        rule,
        reads,
        whole,
        compiled,
        deterministic=facts["deterministic"],
    )


def variables_read(rule: JSON) -> list[tuple[str, str]]:
    """Every ``var`` path literally named in ``rule``, with its JSON pointer.

    Used by the linter: unlike the compiled rule's facts, this keeps the pointer of each
    reference so a mistake can be located.
    """
    found: list[tuple[str, str]] = []
    _collect_vars(rule, "", found)
    return found


def _collect_vars(rule: JSON, pointer: str, found: list[tuple[str, str]]) -> None:
    if isinstance(rule, list):
        for i, item in enumerate(rule):
            _collect_vars(item, f"{pointer}/{i}", found)
        return
    if not isinstance(rule, dict) or len(rule) != 1:
        return
    ((operator, args),) = rule.items()
    inner = f"{pointer}/{pointer_token(str(operator))}"
    if operator in ("var", "val"):
        name = args[0] if isinstance(args, list) and args else args
        if isinstance(name, str) and name:
            found.append((name, inner))
        elif not isinstance(name, int | float | str | type(None)):
            _collect_vars(args, inner, found)
        return
    if operator in ("missing", "missing_some"):
        names = (
            args[1]
            if operator == "missing_some" and isinstance(args, list) and len(args) > 1
            else args
        )
        for name in names if isinstance(names, list) else [names]:
            if isinstance(name, str):
                found.append((name, inner))
    if operator in ("map", "filter", "all", "none", "some", "reduce") and isinstance(args, list):
        # Inside an iterator, ``var`` names the current element, not an answer.
        if args:
            _collect_vars(args[0], f"{inner}/0", found)
        return
    _collect_vars(args, inner, found)


def pointer_path(pointer: str) -> tuple[str | int, ...]:
    """A JSON pointer (``/and/0/var``) as a document path (``("and", 0, "var")``)."""
    parts: list[str | int] = []
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        # isdigit() alone also takes "²" and other digits that int() refuses.
        parts.append(int(token) if token.isascii() and token.isdigit() else token)
    return tuple(parts)
