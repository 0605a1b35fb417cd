"""What ships to Composer (``dags/``, ``plugins/``, ``include/``) never imports the dev tools."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("dags", "plugins")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_nothing_shipped_imports_the_dev_package():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imported_modules(path) if m.split(".")[0] == "nba_pipeline_dev")
        for folder in SHIPPED
        for path in (ROOT / folder).rglob("*.py")
    }
    offenders = {name: modules for name, modules in offenders.items() if modules}
    assert offenders == {}, f"shipped files import the dev tools: {offenders}"


def test_the_dev_tools_live_outside_plugins():
    package = ROOT / "plugins" / "nba_pipeline"
    assert not (package / "local").exists() and not (package / "seed").exists()
    assert not (package / "cli.py").exists()
    assert (ROOT / "dev" / "nba_pipeline_dev" / "local" / "stack.py").is_file()
