"""The package's layout by kind holds: the arrows point one way (pages -> state -> actions -> domain; realtime and
notify hang off the publisher), and no module imports itself back through others."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "djangochat_rx"
NAME = PACKAGE.name

# What each kind of code may not import (its own package's modules by folder, or a library).
FORBIDDEN = {
    "domain": {
        "reflex",
        "reflex_base",
        "starlette",
        "fastapi",
        *(f"{NAME}.{kind}" for kind in ("actions", "realtime", "state", "http", "notify", "pages", "components")),
    },
    "realtime": {f"{NAME}.{kind}" for kind in ("state", "pages", "components")},
    "actions": {f"{NAME}.{kind}" for kind in ("state", "http", "pages", "components")},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The modules `path` imports (each `from package import name` counted as package.name when that is a
    module); with `top_level_only`, only the imports that run when it is imported (not inside functions)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
    return found


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("kind", FORBIDDEN)
def test_each_kind_of_code_imports_only_what_its_arrows_allow(kind):
    wrong = sorted(
        f"{module} imports {imported}"
        for module, path in MODULES.items()
        if _under(module, f"{NAME}.{kind}")
        for imported in imports(path)
        if any(_under(imported, banned) for banned in FORBIDDEN[kind])
    )
    assert wrong == []


def _graph() -> dict[str, list[str]]:
    return {
        module: sorted(m for m in imports(path, top_level_only=True) if m in MODULES and m != module)
        for module, path in MODULES.items()
    }


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    cycles, state = [], dict.fromkeys(graph, 0)

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for child in graph[module]:
            if state[child] == 1:
                cycles.append([*trail[trail.index(child) :], child])
            elif state[child] == 0:
                visit(child, [*trail, child])
        state[module] = 2

    for module in graph:
        if state[module] == 0:
            visit(module, [module])
    return cycles


def test_no_module_imports_itself_back_through_others():
    assert _cycles(_graph()) == []


def test_the_checks_see_a_forbidden_import_and_a_circle(tmp_path, monkeypatch):
    """The walk above is not empty because it reads nothing: a domain module importing reflex is seen."""
    probe = PACKAGE / "domain" / "access.py"
    assert f"{NAME}.models" in imports(probe)
    written = tmp_path / "probe.py"
    written.write_text("import reflex\nfrom djangochat_rx.domain import access\n")
    assert {"reflex", f"{NAME}.domain.access"} <= imports(written)
    assert _cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c", "a"]]


def test_every_role_delivery_writes_to_is_a_var_of_a_page_state():
    """realtime/wire.py names the vars by state class name (realtime imports no state): each must exist."""
    import djangochat_rx.djangochat_rx  # noqa: F401  (the pages import every state class)
    from djangochat_rx.realtime import wire

    assert set(wire.targets()) == set(wire.ROLES)
