"""The docs a newcomer reads say what the code does: docs/running.md's settings tables name exactly the settings
settings.py reads, every command the docs give exists, and every link between them lands."""

import ast
import re
from pathlib import Path

from djangochat_rx import settings
from djangochat_rx.__main__ import _parser

PROJECT = settings.PROJECT_DIR
DOCS = [PROJECT / "README.md", PROJECT / "SECURITY.md", *sorted((PROJECT / "docs").glob("*.md"))]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def settings_read_from_the_environment(source: str) -> set[str]:
    """The names settings.py reads with `os.environ.get("NAME"` or `_int("NAME"`."""
    return set(re.findall(r"(?:os\.environ\.get|_int)\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def settings_in_tables(markdown: str) -> set[str]:
    """The names in the first column of the tables whose header starts `| setting |`."""
    names, in_table = set(), False
    for line in markdown.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not in_table:
            in_table = cells[0] == "setting"
            continue
        if set(cells[0]) <= set("-: "):
            continue
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]))
    return names


def test_the_settings_tables_name_exactly_the_settings_the_app_reads():
    read = settings_read_from_the_environment(_text(PROJECT / "djangochat_rx" / "settings.py"))
    documented = settings_in_tables(_text(PROJECT / "docs" / "running.md"))
    assert len(read) > 50  # the parse sees settings.py's calls
    assert read - documented == set(), "settings missing from docs/running.md's tables"
    assert documented - read == set(), "docs/running.md's tables name settings that settings.py does not read"


def test_the_settings_parse_sees_every_form_of_call():
    source = 'A = os.environ.get("ONE", "x")\nB = _int("TWO", 3)\nC = [os.environ.get(\n    "THREE", "")]\n'
    assert settings_read_from_the_environment(source) == {"ONE", "TWO", "THREE"}
    table = "| setting | default | meaning |\n|---|---|---|\n| `ONE` / `TWO` | 1 | x `NOT_A_NAME` |\n\n| `FOUR` |"
    assert settings_in_tables(table) == {"ONE", "TWO"}


def _code(markdown: str) -> str:
    """Every code span and block of `markdown`, one per line: the commands the docs give are in them."""
    blocks = re.findall(r"```[^\n]*\n(.*?)```", markdown, re.S)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", markdown, flags=re.S))
    return "\n".join(blocks + spans)


def make_targets() -> set[str]:
    makefile = _text(PROJECT / "Makefile")
    return {name for name in re.findall(r"^([a-z][a-z0-9-]*):", makefile, re.M)}


def cli_verbs() -> set[str]:
    (commands,) = [action for action in _parser()._actions if action.dest == "command"]
    return set(commands.choices)


def bench_commands() -> set[str]:
    """The scenarios bench/run.py's `main` accepts (its `scenarios` list)."""
    tree = ast.parse(_text(PROJECT / "bench" / "run.py"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(target, "id", "") == "scenarios" for target in node.targets):
            return {element.value for element in node.value.elts}
    raise AssertionError("bench/run.py has no `scenarios` list")


def commands_in(markdown: str) -> dict[str, set[str]]:
    code = _code(markdown)
    return {
        "make": set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", code)),
        "cli": set(re.findall(r"python -m djangochat_rx ([a-z][a-z0-9-]*)", code)),
        "bench": set(re.findall(r"python -m bench\.run ([a-z][a-z0-9-]*)", code)),
    }


def test_every_command_the_docs_give_exists():
    known = {"make": make_targets(), "cli": cli_verbs(), "bench": bench_commands()}
    assert {"run", "test", "serve"} <= known["make"] and "backup" in known["cli"] and "compare" in known["bench"]
    seen = {kind: set() for kind in known}
    for path in DOCS:
        for kind, commands in commands_in(_text(path)).items():
            missing = commands - known[kind]
            assert not missing, f"{path.relative_to(PROJECT)} gives {kind} commands that do not exist: {missing}"
            seen[kind] |= commands
    assert all(seen.values()), seen  # the docs give each kind (the parse finds them)


def test_the_command_parse_finds_commands_in_code_only():
    found = commands_in("Run `make run` or\n```sh\nmake bench-smoke\npython -m djangochat_rx backup x\n```\nmake it so")
    assert found == {"make": {"run", "bench-smoke"}, "cli": {"backup"}, "bench": set()}


def test_readme_names_the_command_ci_runs_and_stays_short():
    readme = _text(PROJECT / "README.md")
    assert re.search(r"^make test\b", _text(PROJECT / ".ci" / "run"), re.M)
    assert "```sh\nmake test\n```" in readme
    assert len(readme.encode()) <= 8 * 1024


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of `markdown` (code blocks skipped; a repeated one gets -1, -2, ...)."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", re.sub(r"```.*?```", "", markdown, flags=re.S), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def test_anchors_are_made_as_github_makes_them():
    assert anchors("# A `b`: c + d\n## E, f\n## E, f\n```\n# not a heading\n```") == {"a-b-c--d", "e-f", "e-f-1"}


def test_every_link_between_the_docs_lands():
    checked = 0
    for path in DOCS:
        text = re.sub(r"```.*?```", "", _text(path), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            where = f"{path.relative_to(PROJECT)} -> {target}"
            assert linked.is_file(), f"{where}: no such file"
            if anchor and linked.suffix == ".md":
                assert anchor in anchors(_text(linked)), f"{where}: no such heading"
            checked += 1
    assert checked > 20
