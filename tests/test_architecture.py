"""The portal's layering (see the README's "Architecture"): each app imports only
from the layers below it, never from its own layer's other apps nor from above."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# From the bottom up. An app may import the apps of lower layers only.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("notifications",),
    ("accounts",),
    ("catalogue",),
    ("access",),
    ("workspace", "moderation", "imports", "insights", "alerts"),
    ("demo", "bench"),
    ("portal",),
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
# Modules longer than this explain at their top why they are not split.
MAX_LINES = 500
SIZE_NOTE = "# Size:"


def app_dirs() -> list[str]:
    """Every Django app of the project: a top-level package with an apps.py."""
    return sorted(path.parent.name for path in ROOT.glob("*/apps.py"))


def modules(app: str) -> list[Path]:
    return sorted((ROOT / app).rglob("*.py"))


def imported_apps(source: str) -> set[str]:
    """The project's apps that a module's source imports (anywhere in it,
    functions and ``TYPE_CHECKING`` blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names)
    return found & RANK.keys()


def violations(app: str, source: str) -> list[str]:
    """Each import of ``source`` (a module of ``app``) that runs against the
    layering."""
    return [
        f"{app} imports {target} ({'same layer' if RANK[target] == RANK[app] else 'a higher layer'})"
        for target in sorted(imported_apps(source) - {app})
        if RANK[target] >= RANK[app]
    ]


def dependency_graph() -> dict[str, set[str]]:
    return {
        app: set().union(*(imported_apps(path.read_text()) for path in modules(app)))
        - {app}
        for app in app_dirs()
    }


def test_every_app_has_a_layer():
    assert set(app_dirs()) <= RANK.keys(), "place the new app in LAYERS"


@pytest.mark.parametrize("app", app_dirs())
def test_app_imports_only_from_lower_layers(app):
    found = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path in modules(app)
        for problem in violations(app, path.read_text())
    ]
    assert found == []


def test_apps_import_each_other_without_cycles():
    graph = dependency_graph()
    cycles = []

    def visit(app: str, trail: list[str]) -> None:
        for target in sorted(graph.get(app, ())):
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif len(trail) < len(graph):
                visit(target, [*trail, target])

    for app in graph:
        visit(app, [app])
    assert cycles == []


def test_the_check_catches_an_upward_or_sideways_import():
    # What the tests above would report, were these lines in the code.
    assert violations("catalogue", "from workspace.forms import InfrastructureForm")
    assert violations("accounts", "def f():\n    from access import services\n")
    assert violations("workspace", "import imports.services")
    assert not violations("workspace", "from catalogue import services")
    assert not violations("catalogue", "from .models import Infrastructure")


@pytest.mark.parametrize("app", app_dirs())
def test_long_modules_say_why_they_are_not_split(app):
    long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in modules(app)
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MAX_LINES
        and SIZE_NOTE not in "\n".join(path.read_text().splitlines()[:15])
    ]
    assert long == []
