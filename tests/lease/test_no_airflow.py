"""The lease library must stay importable without Airflow (legacy processors and the CLI use it)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import nba_pipeline.lease as lease_package


def test_no_module_of_the_lease_package_imports_airflow():
    files = sorted(Path(lease_package.__file__).parent.glob("*.py"))
    assert len(files) >= 5
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "airflow"]
    assert offenders == []


@pytest.mark.integration  # a fresh interpreter
def test_importing_every_lease_module_loads_no_airflow_module():
    modules = [m.name for m in pkgutil.iter_modules(lease_package.__path__, "nba_pipeline.lease.")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
