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


# The layers of the package, lowest first: a module may import its own layer or a lower one,
# never a higher one (the operators never reach up into the DAG's task functions).
GLUE = ("hooks", "operators", "sensors", "triggers")
DAG_TASKS = ("nba_pipeline.pipeline_tasks", "nba_pipeline.run_notes")


def test_the_glue_never_imports_the_dag_task_modules():
    package = ROOT / "plugins" / "nba_pipeline"
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imported_modules(path) if m.startswith(DAG_TASKS))
        for folder in (*GLUE, "lease", "health")
        for path in (package / folder).rglob("*.py")
    }
    offenders = {name: modules for name, modules in offenders.items() if modules}
    assert offenders == {}, f"glue modules import the DAG's task modules: {offenders}"

