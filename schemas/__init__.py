"""Canonical message models, code lists and validation for the fiscal gateway.

A library: it imports nothing of the gateway's own packages, FastAPI or SQLAlchemy.
"""

from schemas.base import CanonicalModel, build, problems_from
from schemas.errors import Problem, SchemaError, ValidationFailed
from schemas.money import Money, NegativeMoney, NonNegativeMoney, format_money, parse_money

__all__ = [
    "CanonicalModel",
    "Money",
    "NegativeMoney",
    "NonNegativeMoney",
    "Problem",
    "SchemaError",
    "ValidationFailed",
    "build",
    "format_money",
    "parse_money",
    "problems_from",
]
