"""The layout's rules, read from the source: imports run one way (the table in the README's "How it works"), and
`vnnews --help` loads none of the heavy libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("nlp", "models", "index", "corpus", "vnnews", "feeds")
OURS = PACKAGES + ("service",)
WEB = "vnnews.web"
# The one edge that runs against the layers, on purpose and lazily: the province names and their spellings are a
# table the gazetteer builds from vietnamadminunits (models/provinces.py imports only nlp/), and the vocabulary
# reads it from there when a province is asked for. See vnnews/labels.py.
ALLOWED_UPWARD = {("vnnews.labels", "models.provinces"), ("vnnews.labels", "models")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _files() -> dict[str, Path]:
    files = {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    files["service"] = ROOT / "service.py"
    return files


_MODULES = set(_files())


def _imports(path: Path, name: str) -> set[str]:
    """Every module `path` imports, at any depth of the file (function-level imports included)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # `from package import module` imports the module (and runs the package's __init__, which is below
            # it); `from module import name` imports the module.
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in _MODULES else base)
    return found


def _graph() -> dict[str, set[str]]:
    files = _files()
    graph = {}
    for name, path in files.items():
        graph[name] = {m for m in _imports(path, name) if m in files and m != name}
    return graph


def _external(name: str) -> set[str]:
    """The top-level names of everything `name` imports (its third-party libraries among them)."""
    path = _files()[name]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_graph_is_read():
    graph = _graph()
    assert "index.store" in graph["index.search"] and "vnnews.ingest.prepare" in graph["vnnews.ingest.pipeline"]


def test_no_cycle():
    edges = _graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " → ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_nlp_imports_nothing_of_ours():
    for name, deps in _graph().items():
        if _within(name, "nlp"):
            assert all(_within(d, "nlp") for d in deps), (name, deps)


def test_index_never_imports_models_or_the_web_layer_or_flask():
    for name, deps in _graph().items():
        if _within(name, "index"):
            assert not any(_within(d, "models") or _within(d, WEB) or _within(d, "vnnews.cli") or d == "service"
                           for d in deps), (name, deps)
            assert "flask" not in _external(name), name


def test_the_tagger_is_not_below_the_index():
    """The store needs no tagger: the modules index/ imports never import models/, save the one allowed edge."""
    graph = _graph()
    for name, deps in graph.items():
        if not _within(name, "index"):
            continue
        for dep in deps:
            if _within(dep, "index"):
                continue
            upward = {d for d in graph[dep] if _within(d, "models")} - {b for a, b in ALLOWED_UPWARD if a == dep}
            assert not upward, (name, dep, upward)


def test_only_the_web_layer_imports_flask():
    for name in _graph():
        if not (_within(name, WEB) or name == "service"):
            assert not {"flask", "werkzeug", "waitress"} & _external(name), name


def test_only_the_index_imports_whoosh():
    for name in _graph():
        if not _within(name, "index"):
            assert "whoosh" not in _external(name), name


def test_lower_layers_never_import_the_application_layers():
    """nlp, models, index and corpus may use the shared records and errors of vnnews, never ingest, digest, the web
    layer or the CLI."""
    above = ("vnnews.ingest", "vnnews.digest", WEB, "vnnews.cli", "service", "feeds")
    for name, deps in _graph().items():
        if any(_within(name, p) for p in ("nlp", "models", "index", "corpus")):
            assert not any(_within(d, p) for d in deps for p in above), (name, deps)


def test_feeds_sit_below_the_web_layer_and_the_cli():
    """The feed poller feeds the ingest pipeline; the web layer and the CLI call it, never the other way."""
    for name, deps in _graph().items():
        if _within(name, "feeds"):
            assert not any(_within(d, p) for d in deps for p in (WEB, "vnnews.cli", "service")), (name, deps)
    assert any(_within(d, "vnnews.ingest") for d in _graph()["feeds.poller"])


def test_help_loads_no_heavy_library():
    code = ("import sys\nfrom vnnews import cli\ntry:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sklearn', 'underthesea', 'whoosh', 'flask', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
