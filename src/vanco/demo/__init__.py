"""Deterministic, realistic demo data for `vanco demo` (import once Django is set up)."""

from vanco.demo.generate import DEFAULT_SEED, SCALES, demo_logins, generate
from vanco.demo.users import DEMO_PASSWORD

__all__ = ["DEFAULT_SEED", "DEMO_PASSWORD", "SCALES", "demo_logins", "generate"]
