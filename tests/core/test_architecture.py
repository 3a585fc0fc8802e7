"""The package rules of DESIGN.md ("Dependencies point one way"), checked over the source (ast).

Every import counts: at module level, inside functions and under `if TYPE_CHECKING`, except for the
cycle rule, which looks only at imports that run when a module is imported. `KNOWN` lists the breaks
that exist today; a test fails on a break that is not listed and on a listed one that is gone, so
the list only shrinks.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "clinics", "core", "notifications", "referrals", "reports", "safety")
DOMAIN = frozenset(PACKAGES) - {"core"}
FORBIDDEN = {
    "notifications": {"referrals", "clinics", "safety", "reports"},
    "clinics": {"referrals", "notifications", "safety"},
    "referrals": {"safety", "reports"},
    "safety": {"reports"},
    "accounts": {"referrals", "notifications", "safety"},
}
# Each provider's client library → the one module allowed to import it (its gateway's).
GATEWAY_OF = {
    "twilio": "notifications.engine.gateways.twilio",
    "android_sms_gateway": "notifications.engine.gateways.smsgate",
}
NOTIFICATIONS_DOOR = "notifications.services"
# Method names that add to a registry (rule 5), besides any name starting with "register".
REGISTERING = frozenset(
    {"append", "extend", "insert", "add", "update", "setdefault", "connect", "listens_for"}
    | {"route", "get", "post", "put", "patch", "delete"}
)

Pair = tuple[str, str]  # (importing module, imported module)


@dataclass(frozen=True)
class Import:
    module: str
    imported: str
    line: int
    at_import: bool  # runs when `module` is imported (not in a function, not under TYPE_CHECKING)


def module_name(root: Path, path: Path) -> str:
    """The dotted name of a source file under root (a package is named by its directory)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(root: Path, dotted: str) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _is_type_checking(test: ast.expr) -> bool:
    return ast.unparse(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


class _Collector(ast.NodeVisitor):
    """The imports of one module, relative ones resolved, `from p import m` named `p.m`."""

    def __init__(self, root: Path, module: str, is_package: bool) -> None:
        self.root, self.module, self.is_package = root, module, is_package
        self.lazy = 0
        self.found: list[Import] = []

    def _add(self, node: ast.stmt, imported: str) -> None:
        self.found.append(Import(self.module, imported, node.lineno, self.lazy == 0))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:  # decorators run at import, the body does not
            self.visit(decorator)
        self.lazy += 1
        for statement in node.body:
            self.visit(statement)
        self.lazy -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.lazy += 1
        for statement in node.body:
            self.visit(statement)
        self.lazy -= 1
        for statement in node.orelse:
            self.visit(statement)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = from_base(self.module, self.is_package, node)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(node, submodule if _is_module(self.root, submodule) else base)


def from_base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a `from … import` reads from."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def collect(root: Path, packages: Iterable[str] = PACKAGES) -> list[Import]:
    """Every import in the project packages found under root (absent packages are skipped)."""
    found: list[Import] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            collector = _Collector(root, module_name(root, path), path.name == "__init__.py")
            collector.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
            found.extend(collector.found)
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


@cache
def imports_under(root: Path) -> tuple[Import, ...]:
    return tuple(collect(root))


def core_imports_no_domain(root: Path) -> set[Pair]:
    """Rule 1: core imports no domain package, except in the factory (core.app)."""
    return {
        (i.module, i.imported)
        for i in imports_under(root)
        if _top(i.module) == "core" and i.module != "core.app" and _top(i.imported) in DOMAIN
    }


def no_forbidden_direction(root: Path) -> set[Pair]:
    """Rule 2: no import against the direction of the dependencies."""
    return {
        (i.module, i.imported)
        for i in imports_under(root)
        if _top(i.imported) in FORBIDDEN.get(_top(i.module), ())
    }


def notifications_through_services(root: Path) -> set[Pair]:
    """Rule 3: other packages import notifications only as notifications.services."""
    return {
        (i.module, i.imported)
        for i in imports_under(root)
        if _top(i.module) != "notifications"
        and _top(i.imported) == "notifications"
        and i.imported != NOTIFICATIONS_DOOR
    }


def provider_clients_in_gateways(root: Path) -> set[Pair]:
    """Rule 4: a provider's client library is imported only by its gateway's module."""
    return {
        (i.module, i.imported)
        for i in imports_under(root)
        if _top(i.imported) in GATEWAY_OF and i.module != GATEWAY_OF[_top(i.imported)]
    }


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run at import (module body, through if/try/with, not TYPE_CHECKING)."""
    for node in body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for field in ("body", "orelse", "finalbody"):
                yield from _module_level(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from _module_level(handler.body)
        else:
            yield node


def _names_imported(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Module-level name → the dotted object it was imported as ("api" → "core.api.api")."""
    names: dict[str, str] = {}
    for node in _module_level(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom):
            base = from_base(module, is_package, node)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _registering_calls(node: ast.stmt) -> Iterator[ast.expr]:
    """The callees of a module-level statement that could add to a registry."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        yield node.value.func
    elif isinstance(node, ast.Assign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript):  # REGISTRY["name"] = ...
                yield ast.Attribute(value=target.value, attr="setdefault")
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        for decorator in node.decorator_list:
            yield decorator.func if isinstance(decorator, ast.Call) else decorator


def import_time_registrations(root: Path, packages: Iterable[str] = PACKAGES) -> set[Pair]:
    """Rule 5: no module adds to another package's registry when it is imported.

    A heuristic over module-level statements: a call of an imported `register_*` function, or a
    registering method (REGISTERING) called on, or an item set in, an object imported from another
    package or library. Decorating a blueprint of one's own package is fine.
    """
    found: set[Pair] = set()
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(root, path)
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            imported = _names_imported(tree, module, path.name == "__init__.py")
            for node in _module_level(tree.body):
                for func in _registering_calls(node):
                    base, attrs = func, []
                    while isinstance(base, ast.Attribute):
                        base, attrs = base.value, [base.attr, *attrs]
                    if not isinstance(base, ast.Name) or base.id not in imported:
                        continue
                    origin = imported[base.id]
                    name = attrs[-1] if attrs else base.id
                    if attrs and (name in REGISTERING or name.startswith("register")):
                        if _top(origin) != _top(module):
                            found.add((module, ".".join([origin, *attrs])))
                    elif not attrs and name.startswith("register"):
                        found.add((module, origin))
    return found


def no_import_cycles(root: Path) -> set[Pair]:
    """Rule 6: the module-level imports between project modules form no cycle.

    Returns the edges inside each strongly connected component (Tarjan's algorithm).
    """
    imports = imports_under(root)
    modules = {i.module for i in imports}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for i in imports:
        if i.at_import and i.imported in modules and i.imported != i.module:
            graph[i.module].add(i.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: set[Pair] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set(stack[stack.index(node) :])
            del stack[stack.index(node) :]
            cycles.update((a, b) for a in component for b in graph[a] if b in component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


RULES: dict[str, Callable[[Path], set[Pair]]] = {
    "core_imports_no_domain": core_imports_no_domain,
    "no_forbidden_direction": no_forbidden_direction,
    "notifications_through_services": notifications_through_services,
    "provider_clients_in_gateways": provider_clients_in_gateways,
    "import_time_registrations": import_time_registrations,
    "no_import_cycles": no_import_cycles,
}


# Today's breaks (rule → {(module, imported)}). Issue 10's later steps remove them and then this
# list; a new break is never added here.
KNOWN: dict[str, set[Pair]] = {
    "core_imports_no_domain": set(),
    "no_forbidden_direction": set(),
    "notifications_through_services": set(),
    "provider_clients_in_gateways": set(),
    "import_time_registrations": set(),
    "no_import_cycles": set(),
}


def _listing(pairs: set[Pair]) -> str:
    return "\n".join(f"  {module} → {imported}" for module, imported in sorted(pairs))


@pytest.mark.parametrize("rule", RULES)
def test_rule_holds(rule: str) -> None:
    """No break of the rule beyond KNOWN, and every KNOWN break still exists (the list shrinks)."""
    found = RULES[rule](ROOT)
    new, fixed = found - KNOWN[rule], KNOWN[rule] - found
    assert not new, f"{rule} is broken by (see DESIGN.md, Dependencies):\n{_listing(new)}"
    assert not fixed, f"{rule}: these are fixed; remove them from KNOWN:\n{_listing(fixed)}"


def test_every_rule_has_its_allowlist() -> None:
    assert set(KNOWN) == set(RULES)


# One planted break per rule: (rule, {file: source}, the pair it must report).
PLANTED = [
    ("core_imports_no_domain", {"core/util.py": "def f():\n    from referrals import models\n"},
     ("core.util", "referrals.models")),
    ("no_forbidden_direction", {"clinics/x.py": "from ..referrals.models import Referral\n"},
     ("clinics.x", "referrals.models")),
    ("notifications_through_services", {"referrals/x.py": "from notifications import contacts\n"},
     ("referrals.x", "notifications.contacts")),
    ("notifications_through_services", {"referrals/x.py": "from notifications import Thing\n"},
     ("referrals.x", "notifications")),
    ("provider_clients_in_gateways", {"referrals/x.py": "import twilio.rest\n"},
     ("referrals.x", "twilio.rest")),
    ("provider_clients_in_gateways",
     {"notifications/x.py": "from android_sms_gateway import APIClient\n"},
     ("notifications.x", "android_sms_gateway")),
    ("import_time_registrations",
     {"referrals/x.py": "from core.cli import STEPS\nif True:\n    STEPS.append(1)\n"},
     ("referrals.x", "core.cli.STEPS.append")),
    ("import_time_registrations",
     {"referrals/x.py": "from notifications.signals import sig\n@sig.connect\ndef f(): pass\n"},
     ("referrals.x", "notifications.signals.sig.connect")),
    ("no_import_cycles",
     {"clinics/routes.py": "bp = 1\nfrom clinics import admin\n",
      "clinics/admin.py": "from clinics.routes import bp\n"},
     ("clinics.admin", "clinics.routes")),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "files", "pair"), PLANTED)
def test_checker_reports_a_planted_break(
    tmp_path: Path, rule: str, files: dict[str, str], pair: Pair
) -> None:
    """The checker is known to catch a break: a clean tree passes, the same tree plus one fails."""
    assert RULES[rule](_tree(tmp_path / "clean", {})) == set()
    assert pair in RULES[rule](_tree(tmp_path / "planted", files))


def _tree(root: Path, files: dict[str, str]) -> Path:
    """A small project: every package, two modules, then the given files."""
    for package in PACKAGES:
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "notifications" / "contacts.py").write_text("")
    (root / "referrals" / "models.py").write_text("import core.db\n")
    for name, source in files.items():
        (root / name).write_text(source)
    return root


def test_type_checking_imports_count_but_not_for_cycles(tmp_path: Path) -> None:
    lazy = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from notifications import a\n"
    files = {"notifications/a.py": "from notifications import b\n", "notifications/b.py": lazy}
    root = _tree(tmp_path, {**files, "core/c.py": lazy})
    assert no_import_cycles(root) == set()
    assert core_imports_no_domain(root) == {("core.c", "notifications.a")}
