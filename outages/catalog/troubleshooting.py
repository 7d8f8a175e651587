"""The first things to try when a service doesn't work, whatever the symptom.

Each symptom's own steps live with the symptom (symptoms.toml); these come
before any of them, so they are kept in the catalog's files rather than the
database.
"""

import tomllib
from functools import cache
from pathlib import Path

STEPS_TOML = Path(__file__).with_name("troubleshooting.toml")


@cache
def first_steps() -> list[str]:
    with STEPS_TOML.open("rb") as f:
        return tomllib.load(f)["first_steps"]
