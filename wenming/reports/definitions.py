"""指标口径: every indicator of the registry and every rule line of the composite in Chinese, for the
rules a 街道 has in force in a month — the page /definitions, the 通报's appendix and docs/."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wenming import metrics
from wenming.composite import explain
from wenming.core import rules as rules_mod


@dataclass
class Definitions:
    month: date
    rules: dict
    indicators: list[dict]  # metrics.definition_rows
    rule_areas: list[dict]  # explain.rules_text: area, max, lines


def for_month(db, street_code: str | None, month: date) -> Definitions:
    """The definitions with the rules of a 街道 in force that month (the defaults without a 街道)."""
    rules = rules_mod.load(db, street_code or "*", month)
    return Definitions(month, rules, metrics.definition_rows(rules), explain.rules_text(rules))
