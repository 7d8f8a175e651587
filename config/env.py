"""Typed readers for settings taken from the environment.

Each one refuses a value it cannot read, naming the variable, so a typo in a
deployment stops the process at start-up instead of running with a surprise.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off"
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}")
    return number


def env_list(name: str, default: str) -> list[str]:
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not one of {', '.join(choices)}"
        )
    return value


def env_int_list(name: str, default: str, *, minimum: int = 0) -> list[int]:
    """A comma-separated list of whole numbers, none below `minimum`."""
    numbers = []
    for item in env_list(name, default):
        try:
            number = int(item)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={item!r} is not a list of whole numbers"
            ) from None
        if number < minimum:
            raise ImproperlyConfigured(
                f"{name} holds {number}, below the minimum of {minimum}"
            )
        numbers.append(number)
    return numbers
