"""Every import under `service/` points down the layers that CONTRIBUTING.md writes down, and
no module imports another that imports it back.

The order is read from CONTRIBUTING.md's "Layers" section, so the document and the check
cannot drift apart: each numbered item is a layer, its backticked paths (`usecases/`,
`auth/keys.py`) the modules in it; a module belongs to the longest path that holds it.
Imports are read with `ast`, so those inside functions and under `TYPE_CHECKING` count too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "service"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"


@dataclass(frozen=True, slots=True)
class Layer:
    number: int
    name: str
    prefixes: tuple[str, ...]  # dotted: "service.usecases", "service.auth.keys"


@dataclass(frozen=True, slots=True)
class Import:
    importer: str  # dotted module name
    imported: str  # the service module it names (a submodule where it names one)
    path: Path
    line: int


def written_layers(text: str) -> list[Layer]:
    """The numbered items of the "## Layers" section, bottom first."""
    section = re.search(r"^## Layers\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if section is None:
        return []
    items = re.findall(
        r"^(\d+)\. \*\*(.+?)\*\*(.*?)(?=^\d+\. |\Z)", section.group(1), re.MULTILINE | re.DOTALL
    )
    layers = []
    for number, name, body in items:
        paths = re.findall(r"`([\w/]+(?:/|\.py))`", body)
        prefixes = tuple(
            ".".join(["service", *p.removesuffix("/").removesuffix(".py").split("/")])
            for p in paths
        )
        layers.append(Layer(int(number), name, prefixes))
    return layers


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def service_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SERVICE.rglob("*.py"))}


def _absolute(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _known(name: str, modules: dict[str, Path]) -> str:
    """The longest service module that `name` is or lies in."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    """Every import of a service module in the file, wherever in the file it is."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(name, path.name == "__init__.py", node)
            # `from service.web import forms` names the submodule, `from x import f` the module.
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module
                for alias in node.names
            ]
        else:
            continue
        named = {_known(t, modules) for t in targets if t == "service" or t.startswith("service.")}
        for target in sorted(named):
            yield Import(name, target, path, node.lineno)


def all_imports() -> list[Import]:
    modules = service_modules()
    return [i for name, path in modules.items() for i in imports_of(name, path, modules)]


def layer_of(module: str, layers: list[Layer]) -> Layer | None:
    best: tuple[int, Layer] | None = None
    for layer in layers:
        for prefix in layer.prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), layer)
    return best[1] if best else None


def upward(imports: list[Import], layers: list[Layer]) -> list[str]:
    found = []
    for i in imports:
        low, high = layer_of(i.importer, layers), layer_of(i.imported, layers)
        if low is not None and high is not None and high.number > low.number:
            found.append(
                f"{i.path.relative_to(ROOT)}:{i.line} imports {i.imported} "
                f"({high.number}. {high.name}) from {low.number}. {low.name}"
            )
    return found


def circles(imports: list[Import]) -> list[list[str]]:
    """One circle per strongly connected group of modules (Tarjan), each as a path from its
    first module back to itself, shortest first."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        graph.setdefault(i.importer, set()).add(i.imported)
        graph.setdefault(i.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(_shortest_cycle(min(g), g, graph) for g in groups)


def _shortest_cycle(start: str, group: set[str], graph: dict[str, set[str]]) -> list[str]:
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start] * 2
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no circle through {start}")


@pytest.fixture(scope="module")
def layers() -> list[Layer]:
    found = written_layers(CONTRIBUTING.read_text(encoding="utf-8"))
    assert found, "CONTRIBUTING.md has no '## Layers' section with numbered layers"
    return found


def test_the_layers_are_numbered_in_order_and_name_what_exists(layers: list[Layer]) -> None:
    assert [layer.number for layer in layers] == list(range(1, len(layers) + 1))
    missing = [
        f"{layer.number}. {layer.name}: {prefix}"
        for layer in layers
        for prefix in layer.prefixes
        if not (ROOT / Path(*prefix.split("."))).is_dir()
        and not (ROOT / Path(*prefix.split("."))).with_suffix(".py").is_file()
    ]
    assert missing == [], "CONTRIBUTING.md places what does not exist: " + "; ".join(missing)


def test_every_module_has_a_layer(layers: list[Layer]) -> None:
    homeless = [m for m in service_modules() if m != "service" and layer_of(m, layers) is None]
    assert homeless == [], f"not in any layer of CONTRIBUTING.md: {homeless}"


def test_no_import_points_up(layers: list[Layer]) -> None:
    found = upward(all_imports(), layers)
    assert found == [], "imports that point up the layers:\n" + "\n".join(found)


def test_no_module_imports_one_that_imports_it_back() -> None:
    found = [" -> ".join(c) for c in circles(all_imports())]
    assert found == [], "modules that import each other:\n" + "\n".join(found)


# The checks themselves, on made-up modules: each must see what it is there to see.

_SAMPLE = """\
# Contributing

## Layers

1. **Bottom**: `clock.py` and `auth/keys.py`.
2. **Middle**: `auth/`,
   and `models/`.
3. **Top**: `main.py`.

## Rules
"""


def test_the_written_order_is_read_with_the_longest_path_winning() -> None:
    layers = written_layers(_SAMPLE)
    assert [(lay.number, lay.name, lay.prefixes) for lay in layers] == [
        (1, "Bottom", ("service.clock", "service.auth.keys")),
        (2, "Middle", ("service.auth", "service.models")),
        (3, "Top", ("service.main",)),
    ]
    assert layer_of("service.auth.keys", layers) == layers[0]
    assert layer_of("service.auth.tokens", layers) == layers[1]
    assert layer_of("service.mainly", layers) is None


def test_an_upward_import_is_named_with_its_file_and_line() -> None:
    layers = written_layers(_SAMPLE)
    here = ROOT / "service" / "clock.py"
    found = upward(
        [
            Import("service.clock", "service.main", here, 7),
            Import("service.main", "service.clock", here, 8),
            Import("service.auth.tokens", "service.models.base", here, 9),
        ],
        layers,
    )
    assert found == ["service/clock.py:7 imports service.main (3. Top) from 1. Bottom"]


def test_a_circle_is_found_however_long_the_way_round() -> None:
    here = ROOT / "service" / "clock.py"
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("x", "y"), ("y", "x"), ("s", "s")]
    found = circles([Import(f, t, here, 1) for f, t in edges])
    assert found == [["a", "b", "c", "a"], ["s", "s"], ["x", "y", "x"]]


def test_imports_inside_functions_and_under_type_checking_are_read(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from service.web.templating import templates\n"
        "def f() -> None:\n"
        "    from service.main import create_app\n"
        "    import service.clock\n"
        "from service.web import forms\n",
        encoding="utf-8",
    )
    modules = service_modules()
    found = sorted((i.line, i.imported) for i in imports_of("service.sample", source, modules))
    assert found == [
        (3, "service.web.templating"),
        (5, "service.main"),
        (6, "service.clock"),
        (7, "service.web.forms"),
    ]
