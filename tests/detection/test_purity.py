"""The detector is pure NumPy/SciPy: nothing under outages/detection/ may
import Django or the project's Django modules."""

import ast
from pathlib import Path

DETECTION = Path(__file__).resolve().parents[2] / "outages" / "detection"
ALLOWED = {"numpy", "scipy", "matplotlib", "outages"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names


def test_nothing_under_detection_imports_django_or_the_django_side():
    offenders = {}
    for path in sorted(DETECTION.rglob("*.py")):
        for name in imported(path):
            top = name.split(".")[0]
            project = top == "outages" and not name.startswith("outages.detection")
            third_party = top not in ALLOWED and not _stdlib(top)
            if project or third_party:
                offenders.setdefault(path.name, []).append(name)
    assert offenders == {}


def _stdlib(name: str) -> bool:
    import sys

    return name in sys.stdlib_module_names
