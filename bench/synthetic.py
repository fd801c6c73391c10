"""The engine benchmark's synthetic definition: a profile page every path passes, main pages
with conditional edges, every question type, a repeating group; and answers along one path
(see ``bench/engine.py``)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from questionnaire.engine import DefinitionError, Questionnaire, load_text
from questionnaire.engine.logic import truthy

JSON = Any
QUESTIONS_PER_PAGE = 20

OPTION_SETS = (
    ("cisco", "juniper", "arista", "f5", "palo_alto", "other"),
    ("tcp", "udp", "http", "https"),
    ("none", "basic", "standard", "premium", "enterprise"),
    ("aws", "azure", "gcp", "on_prem", "hybrid"),
    ("weekly", "monthly", "quarterly", "yearly"),
    ("small", "medium", "large", "very_large", "unknown"),
)
SLOT_TYPES = (
    "choice", "integer", "yes_no", "text", "multi_choice", "integer", "choice", "ip_address",
    "port", "yes_no", "text", "choice", "integer", "multi_choice", "yes_no", "text", "choice",
    "integer", "ip_address", "text",
)  # fmt: skip
REPEAT_PAGE = "m02"  # the page whose last slot is the repeating group
#: The definition format's second edition on the profile page, added after the random part
#: (so the rest of the definition is the same for a seed): a date bounded relative to today, a
#: pattern, date differences from today, and a note that depends on one.
SECOND_EDITION: dict[str, Any] = {
    "questions": [
        {"id": "profile_since", "type": "date", "label": "Customer since", "min": "today-30y",
         "max": "today"},
        {"id": "profile_order", "type": "text", "label": "Order number",
         "pattern": {"regex": "PO-[0-9]{6}", "message": "Enter PO- and 6 digits, not {value}"},
         "notes": [{"text": "A customer of over a year ({profile_years} years)", "kind": "info",
                    "show_if": {">": [{"var": "profile_days"}, 365]}}]},
    ],
    "computed": [
        {"id": "profile_days", "logic": {"days_between": [{"var": "profile_since"},
                                                          {"var": "today"}]}},
        {"id": "profile_years", "logic": {"years_between": [{"var": "profile_since"},
                                                            {"var": "today"}]}},
    ],
    "answers": {"profile_since": "2020-01-15", "profile_order": "PO-123456"},
}  # fmt: skip


# -- the synthetic definition ---------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """An answered, visible question (or a computed value) that later conditions may test."""

    id: str
    type: str
    answer: JSON
    options: tuple[str, ...] = ()


@dataclass
class Synthetic:
    doc: dict[str, JSON]
    answers: dict[str, JSON]


class DefinitionBuilder:
    """Builds pages, conditions and answers together, so the truth of each condition is known."""

    def __init__(self, questions: int, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.page_count = max(2, round(questions / QUESTIONS_PER_PAGE))
        self.answers: dict[str, JSON] = {}
        self.profile: list[Known] = []
        self.local: list[Known] = []
        self.computed: list[Known] = []

    def build(self) -> Synthetic:
        plan = self._plan()
        pages = [self._page("profile", plan, 0)]
        computed = self._computed()
        pages += [self._page(page_id, plan, i) for i, page_id in enumerate(plan) if i > 0]
        pages[0]["questions"] += SECOND_EDITION["questions"]
        computed += SECOND_EDITION["computed"]
        self.answers.update(SECOND_EDITION["answers"])
        doc = {
            "id": "bench",
            "title": "Synthetic benchmark questionnaire",
            "version": "1.0",
            "computed": computed,
            "pages": pages,
        }
        return Synthetic(doc, self.answers)

    # -- page plan and edges --

    def _plan(self) -> list[str]:
        """Page ids in order: profile, then main pages, each m{4k+1} followed by its branch."""
        plan, main = ["profile"], 1
        while len(plan) < self.page_count:
            plan.append(f"m{main:02d}")
            if main % 4 == 1 and len(plan) < self.page_count:
                plan.append(f"b{main:02d}")
            main += 1
        return plan

    def _edges(self, page_id: str, plan: list[str]) -> list[dict[str, JSON]]:
        mains = [p for p in plan if p.startswith("m")]
        if page_id == "profile":
            return [{"to": mains[0]}]
        number = int(page_id[1:])
        later = [p for p in mains if int(p[1:]) > number]
        default = {"to": later[0] if later else "review"}
        if page_id.startswith("b"):
            return [default]
        branch = f"b{number:02d}"
        if branch in plan:  # most respondents take the branch
            return [{"if": self._edge_rule(self.rng.random() < 0.8), "to": branch}, default]
        if len(later) > 1:  # a rarely taken shortcut over the next page
            return [{"if": self._edge_rule(self.rng.random() < 0.1), "to": later[1]}, default]
        return [default]

    def _edge_rule(self, want: bool) -> JSON:
        atom = self._atom(self.rng.choice(self.computed), want)
        other = self._condition(self.profile + self.local, want)
        return {"and": [atom, other]} if want else {"or": [atom, other]}

    # -- pages and questions --

    def _page(self, page_id: str, plan: list[str], index: int) -> dict[str, JSON]:
        self.local = []
        questions = [self._question(page_id, slot) for slot in range(QUESTIONS_PER_PAGE)]
        page: dict[str, JSON] = {"id": page_id, "title": f"Page {index}: {page_id}"}
        if index % 3 == 0:
            note = {"text": "Have the site survey ready.", "kind": "info"}
            page["notes"] = [{**note, "show_if": self._condition(self._pool(), self._coin())}]
        page["questions"] = questions
        page["next"] = self._edges(page_id, plan)
        if page_id == "profile":
            self.profile = list(self.local)
        return page

    def _pool(self) -> list[Known]:
        return self.profile + self.local

    def _coin(self, p_true: float = 0.5) -> bool:
        return self.rng.random() < p_true

    def _question(self, page_id: str, slot: int) -> dict[str, JSON]:
        qid = f"{page_id}_q{slot:02d}"
        kind = SLOT_TYPES[slot % len(SLOT_TYPES)]
        if page_id == REPEAT_PAGE and slot == QUESTIONS_PER_PAGE - 1:
            return self._repeat(qid)
        question: dict[str, JSON] = {"id": qid, "type": kind, "label": self._label(qid, page_id)}
        visible = True
        if self._pool() and self._coin():
            visible = self._coin(0.8)
            question["show_if"] = self._condition(self._pool(), visible)
        if self._pool() and self._coin(0.1):
            question["required_if"] = self._condition(self._pool(), self._coin())
        known = self._typed(question, kind)
        if self._coin(0.97 if visible else 0.5):
            self.answers[qid] = known.answer
        self._extras(question, known, qid in self.answers)
        if visible and qid in self.answers:
            self.local.append(known)
        return question

    def _label(self, qid: str, page_id: str) -> str:
        label = f"Question {qid.replace('_', ' ')}"
        if page_id != "profile" and self.profile and self._coin(0.1):
            label += f" for {{{self.rng.choice(self.profile).id}}}"
        return label

    def _typed(self, question: dict[str, JSON], kind: str) -> Known:
        """Fill the type-specific fields of ``question``; return it with a valid answer."""
        rng, qid = self.rng, question["id"]
        if kind in ("choice", "multi_choice"):
            return self._choices(question, kind)
        if kind == "integer":
            high = rng.choice((100, 1000, 10_000))
            question.update(min=0, max=high)
            return Known(qid, kind, self._bounded_int(question, high))
        answer: dict[str, Callable[[], JSON]] = {
            "text": lambda: f"answer to {qid}",
            "yes_no": self._coin,
            "ip_address": lambda: (
                f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            ),
            "port": lambda: rng.randrange(1, 65536),
        }
        return Known(qid, kind, answer[kind]())

    def _bounded_int(self, question: dict[str, JSON], high: int) -> int:
        """An answer in range; with a constraint against an earlier integer, one that meets it."""
        ints = [k for k in self._pool() if k.type == "integer"]
        if not ints or not self._coin(0.3):
            return self.rng.randint(0, high)
        other = self.rng.choice(ints)
        question["constraints"] = [
            {
                "rule": {"<=": [{"var": "value"}, {"var": other.id}]},
                "message": f"Cannot be more than the answer to {other.id}",
            }
        ]
        return self.rng.randint(0, min(high, other.answer))

    def _choices(self, question: dict[str, JSON], kind: str) -> Known:
        options = self.rng.choice(OPTION_SETS)
        choices = [{"value": v, "label": v.replace("_", " ").title()} for v in options]
        question["choices"] = choices
        if kind == "multi_choice":
            picked = set(self.rng.sample(options, self.rng.randint(1, len(options) - 1)))
            answer: JSON = [v for v in options if v in picked]
        else:
            answer = self.rng.choice(options)
            if self._pool() and self._coin(0.3):  # an option offered only sometimes
                withheld = self.rng.choice([c for c in choices if c["value"] != answer])
                withheld["show_if"] = self._condition(self._pool(), self._coin())
        return Known(question["id"], kind, answer, options)

    def _extras(self, question: dict[str, JSON], known: Known, answered: bool) -> None:
        if self._coin(0.15):
            question["hint"] = "Ask your network team if unsure."
        if self._coin(0.1):
            pool = [*self._pool(), known] if answered else self._pool()
            if pool:
                rule = self._condition(pool, self._coin())
                question["notes"] = [{"text": "Check this.", "kind": "warning", "show_if": rule}]

    def _repeat(self, qid: str) -> dict[str, JSON]:
        protocols = ("tcp", "udp", "http", "https")
        fields = [
            {
                "id": "proto",
                "type": "choice",
                "label": "Protocol",
                "choices": [{"value": p, "label": p.upper()} for p in protocols],
            },
            {"id": "port", "type": "port", "label": "Port"},
            {
                "id": "tls",
                "type": "yes_no",
                "label": "TLS offload on {item.port}?",
                "show_if": {"==": [{"var": "item.proto"}, "tcp"]},
            },
        ]
        records = [{"proto": p, "port": 443 + i} for i, p in enumerate(("tcp", "udp", "tcp"))]
        for record in records:
            if record["proto"] == "tcp":
                record["tls"] = self._coin()
        self.answers[qid] = records
        return {"id": qid, "type": "repeat", "label": "Services", "questions": fields}

    # -- computed values --

    def _computed(self) -> list[dict[str, JSON]]:
        result = []
        for i in range(10):
            cid, want = f"c{i:02d}", self._coin()
            rule = self._condition(self.profile, want)
            if self.computed and self._coin(0.3):  # built on an earlier computed value
                atom = self._atom(self.rng.choice(self.computed), want)
                rule = {"and": [atom, rule]} if want else {"or": [atom, rule]}
            result.append({"id": cid, "logic": rule, "description": f"Synthetic value {i}"})
            self.computed.append(Known(cid, "computed", want))
        return result

    # -- conditions whose truth under the generated answers is ``want`` --

    def _condition(self, pool: list[Known], want: bool, depth: int = 0) -> JSON:
        if depth > 0 or not self._coin(0.3):
            return self._atom(self.rng.choice(pool), want)
        if self._coin():
            parts = [self._condition(pool, True, 1), self._condition(pool, True, 1)]
            if not want:
                parts[1] = self._condition(pool, False, 1)
            op = "and"
        else:
            parts = [self._condition(pool, False, 1), self._condition(pool, False, 1)]
            if want:
                parts[1] = self._condition(pool, True, 1)
            op = "or"
        self.rng.shuffle(parts)
        return {op: parts}

    def _atom(self, known: Known, want: bool) -> JSON:
        var = {"var": known.id}
        if known.type in ("integer", "port"):
            return self._number_atom(var, known.answer, want)
        if known.type in ("choice", "multi_choice"):
            return self._choice_atom(known, var, want)
        if known.type in ("yes_no", "computed"):
            holds = truthy(known.answer)
            if known.type == "yes_no" and self._coin(0.2):
                return {"===": [var, holds == want]}  # "==" would also hold while unanswered
            return var if holds == want else {"!": var}
        if known.type == "ip_address" and self._coin():
            return {"in": ["10." if want else "192.168.", var]}
        return {"!!": var} if want else {"!": var}

    def _number_atom(self, var: JSON, n: int, want: bool) -> JSON:
        gap = self.rng.randint(0, 50)
        if self._coin():
            return {">": [var, n - 1 - gap]} if want else {">": [var, n + gap]}
        return {"<": [var, n + 1 + gap]} if want else {"<": [var, n - gap]}

    def _choice_atom(self, known: Known, var: JSON, want: bool) -> JSON:
        picked = known.answer if isinstance(known.answer, list) else [known.answer]
        inside = [o for o in known.options if o in picked]
        outside = [o for o in known.options if o not in picked]
        if known.type == "multi_choice":
            return {"in": [self.rng.choice(inside if want else outside), var]}
        if want:
            other = self.rng.choice(outside)
            return {"==": [var, known.answer]} if self._coin() else {"in": [var, [other, *picked]]}
        return {"==": [var, self.rng.choice(outside)]} if self._coin() else {"!=": [var, *picked]}


def build_definition(questions: int) -> Synthetic:
    return DefinitionBuilder(questions).build()


def load_or_explain(text: str) -> Questionnaire:
    try:
        return load_text(text, "bench.yaml")
    except DefinitionError as exc:
        print(f"the synthetic definition does not load:\n{exc}", file=sys.stderr)
        raise
