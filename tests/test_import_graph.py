"""No import circles between the project's modules, and `articles` never imports `contacts`.

Every .py file of the project's packages is parsed (not imported): each `import` and
`from … import` counts, at module level or inside a function, under `if TYPE_CHECKING` or
not. An import names the module it reaches (`from contacts.comments import forms` is
`contacts.comments.forms`, `from contacts.crisis import fold` is `contacts.crisis`); a
package's `__init__` is a module of its own, and importing a submodule does not count as
importing its package. Templates may use another app's template tags: the article page draws
its comment section with `{% comment_section article %}` from `contacts`.
"""

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["articles", "contacts", "clinic", "bench", "deploy"]


def project_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the packages (hidden folders skipped)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if any(part.startswith(".") or part == "__pycache__" for part in parts):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _project_module(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an import of `name` reaches: `name` itself or its nearest parent, if ours."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that `module` imports, wherever in the file the import is."""
    found = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from . import x`, `from ..y import z`
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            # `from a.b import c` reaches the module a.b.c when there is one, else a.b itself.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(target for name in names if (target := _project_module(name, modules)) not in (None, module))
    return found


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    """Each project module -> the project modules it imports."""
    modules = project_modules(root, packages)
    return {module: imports_of(module, path, modules) for module, path in modules.items()}


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, without recursion: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(sorted(group))
    return groups


def _circle_through(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """One circle of imports inside a strongly connected group, from its first module back to it."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for successor in sorted(graph[node] & members):
            if successor == start:
                return [*paths[node], start]
            if successor not in paths:
                paths[successor] = [*paths[node], successor]
                queue.append(successor)
    raise AssertionError(f"{group} is not a circle")


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, each named by one circle (a -> b -> a)."""
    return [_circle_through(graph, group) for group in _strongly_connected(graph) if len(group) > 1]


def imports_across(graph: dict[str, set[str]], *, importer: str, imported: str) -> dict[str, list[str]]:
    """The modules of package `importer` that import modules of package `imported`, with what they import."""

    def within(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    crossing = {
        module: sorted(target for target in targets if within(target, imported))
        for module, targets in graph.items()
        if within(module, importer)
    }
    return {module: targets for module, targets in crossing.items() if targets}


def test_no_project_module_imports_itself_back_through_others():
    circles = import_circles(import_graph(ROOT, PACKAGES))

    assert not circles, "import circles: " + "; ".join(" -> ".join(circle) for circle in circles)


def test_articles_never_imports_contacts():
    graph = import_graph(ROOT, PACKAGES)

    assert "articles.views" in graph and "contacts.comments.views" in graph  # the check sees both apps
    assert imports_across(graph, importer="articles", imported="contacts") == {}


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    for relative, source in {"__init__.py": "", **files}.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


def test_a_made_up_circle_is_found_and_named(tmp_path):
    write_package(
        tmp_path,
        "loop",
        {
            "a.py": "from loop.b import helper\n",
            "b.py": "def helper():\n    from loop import c  # inside a function: still an import\n",
            "c.py": "import loop.a\n",
            "d.py": "from loop.a import anything\n",  # imports the circle, is not part of it
            "inner/__init__.py": "from . import e\n",
            "inner/e.py": "from .. import inner\n",  # relative imports count too
        },
    )

    circles = import_circles(import_graph(tmp_path, ["loop"]))

    assert sorted(circles) == [["loop.a", "loop.b", "loop.c", "loop.a"], ["loop.inner", "loop.inner.e", "loop.inner"]]


def test_a_package_importing_its_own_submodules_is_no_circle(tmp_path):
    write_package(tmp_path, "pkg", {"__init__.py": "from pkg.part import thing\n", "part.py": "import os\n"})

    assert import_circles(import_graph(tmp_path, ["pkg"])) == []


def test_an_import_of_another_app_is_found_wherever_it_hides(tmp_path):
    write_package(tmp_path, "contacts", {"forms.py": "", "tags.py": ""})
    write_package(
        tmp_path,
        "articles",
        {
            "views.py": "def home(request):\n    from contacts.forms import MessageForm\n",
            "feeds.py": "import contacts\n",
            "models.py": "from django.db import models\n",
        },
    )

    graph = import_graph(tmp_path, ["articles", "contacts"])

    crossing = imports_across(graph, importer="articles", imported="contacts")

    assert crossing == {"articles.feeds": ["contacts"], "articles.views": ["contacts.forms"]}
