"""The radar's settings with bench/parts_urls.py's probe views added."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "parts_urls"
