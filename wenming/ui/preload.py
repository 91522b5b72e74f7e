"""Import, while the server starts, every module the pages import, and let plotly build and
serialise a figure once: the first visit after a start then runs its page, not Python's imports
(measured by the benchmark's cold browser column, bench/results.md)."""
from __future__ import annotations

import ast
import importlib

from wenming.core.config import ROOT


def page_modules() -> list[str]:
    """Every module named by an import in app.py and pages/*.py (`from a import b`: a, and a.b when b is a module)."""
    names: set[str] = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return sorted(names)


def warm() -> list[str]:
    """Import the pages' modules (names that are not modules are skipped); returns those imported."""
    done = []
    for name in page_modules():
        try:
            importlib.import_module(name)
        except ImportError:  # `from datetime import date`: date is not a module
            continue
        done.append(name)
    import plotly.graph_objects as go
    go.Figure([go.Bar(x=[1], y=[1]), go.Scatter(x=[1], y=[1]), go.Heatmap(z=[[1]])]).to_json()
    return done
