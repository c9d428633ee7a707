#!/usr/bin/env python3
"""One door per invariant; fails (exit 1) when a module goes around one. Run by `make lint`; reads
the source, imports nothing.

Scope: only the orgs app looks at org-unit paths. Elsewhere a `…path__startswith` lookup, or a
use of the user's raw scope, is a scope decision made by hand: use `visible_to`, `scope_q`,
`in_subtree`, `in_visible_unit`, `visible_unit` or `in_scope` from vcassure/orgs/scoping.py.

State: a module other than a model's door may not write its state or create its transition rows.

What counts as a write, outside the door module:
- creating a transition row: `TaskTransition(...)`, `TaskTransition.objects.create/bulk_create(...)`;
- `<Model>.objects…update(state=…)` (or create/bulk_create/update_or_create/get_or_create with a
  state field; `bulk_update(…, ["state"])`);
- `<name>.state = …` or `<name>.transition_to(…)` or `<name>.save()` without update_fields (or
  with "state" in them) on a variable whose name says it holds that model (`task`, `meeting`,
  `fault`, …), and `setattr(<name>, "state", …)`.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Door:
    model: str
    module: str  # the one module allowed to write, relative to the repository root
    fields: frozenset[str]
    transition_models: frozenset[str]
    var_hints: tuple[str, ...]  # variable names holding an instance contain one of these


DOORS = (
    Door(
        model="SupportTask",
        module="vcassure/meetings/services/tasks.py",
        fields=frozenset({"state", "state_before_fault"}),
        transition_models=frozenset({"TaskTransition"}),
        var_hints=("task",),
    ),
    Door(
        model="Meeting",
        module="vcassure/meetings/services/meetings.py",
        fields=frozenset({"state"}),
        transition_models=frozenset(),
        var_hints=("meeting",),
    ),
    Door(
        model="Fault",
        module="vcassure/faults/services/lifecycle.py",
        fields=frozenset({"state"}),
        transition_models=frozenset({"FaultEvent"}),
        var_hints=("fault",),
    ),
)
WRITE_METHODS = {"update", "create", "bulk_create", "update_or_create", "get_or_create"}


def _root_name(node: ast.AST) -> str | None:
    """The name a call chain starts from: `SupportTask` in SupportTask.objects.filter().update()."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def _holds(name: str | None, door: Door) -> bool:
    return name is not None and any(h in name.lower() for h in door.var_hints)


def _literal_strings(node: ast.AST | None) -> set[str]:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {e.value for e in node.elts if isinstance(e, ast.Constant)}
    return set()


def _violations_in(tree: ast.AST, door: Door) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            root = _root_name(func)
            keywords = {k.arg for k in node.keywords if k.arg}
            if isinstance(func, ast.Name) and func.id in door.transition_models:
                found.append((node.lineno, f"creates a {func.id} row"))
            if isinstance(func, ast.Attribute):
                method = func.attr
                if root in door.transition_models and method in WRITE_METHODS:
                    found.append((node.lineno, f"writes {root} rows ({method})"))
                if root == door.model and method in WRITE_METHODS and keywords & door.fields:
                    found.append((node.lineno, f"writes {door.model}.state through {method}()"))
                if root == door.model and method == "bulk_update":
                    fields = node.args[1] if len(node.args) > 1 else None
                    for k in node.keywords:
                        if k.arg == "fields":
                            fields = k.value
                    if _literal_strings(fields) & door.fields or fields is None:
                        found.append(
                            (node.lineno, f"writes {door.model}.state through bulk_update()")
                        )
                owner = func.value.id if isinstance(func.value, ast.Name) else None
                if method == "transition_to" and _holds(owner, door):
                    found.append((node.lineno, f"moves a {door.model} with transition_to()"))
                if method == "save" and _holds(owner, door):
                    update = next(
                        (k.value for k in node.keywords if k.arg == "update_fields"), None
                    )
                    if update is None or _literal_strings(update) & door.fields:
                        found.append((node.lineno, f"saves a {door.model}'s state with save()"))
            if (
                isinstance(func, ast.Name)
                and func.id == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Name)
                and _holds(node.args[0].id, door)
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in door.fields
            ):
                found.append((node.lineno, f"sets a {door.model}'s state with setattr()"))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in ast.walk(target):
                    if (
                        isinstance(t, ast.Attribute)
                        and t.attr in door.fields
                        and isinstance(t.value, ast.Name)
                        and _holds(t.value.id, door)
                    ):
                        found.append((node.lineno, f"assigns {t.value.id}.{t.attr}"))
    return found


SCOPE_OWNER = "vcassure/orgs/"
SCOPE_NAMES = {"_scope_path", "_vca_scope_path", "_NOTHING", "_EVERYTHING", "user_scope_path"}


def _scope_violations(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg and node.arg.endswith("path__startswith"):
            found.append((getattr(node.value, "lineno", 0), f"filters on {node.arg} by hand"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "path__startswith" in node.value:
                found.append((node.lineno, "builds a path__startswith lookup by hand"))
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in SCOPE_NAMES:
                found.append((node.lineno, f"reads the raw scope ({name})"))
        elif isinstance(node, ast.ImportFrom) and node.module == "vcassure.orgs.scoping":
            for alias in node.names:
                if alias.name in SCOPE_NAMES:
                    found.append((node.lineno, f"imports the raw scope ({alias.name})"))
    return found


def find_violations(root: Path, files: list[Path] | None = None) -> list[str]:
    """Every write outside its door, as "path:line: message"."""
    if files is None:
        files = [
            p
            for p in sorted((root / "vcassure").rglob("*.py"))
            if "migrations" not in p.parts and "tests" not in p.parts
        ]
    out = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        if not rel.startswith(SCOPE_OWNER):
            for line, message in _scope_violations(tree):
                out.append(f"{rel}:{line}: {message}; scope is decided in vcassure/orgs/scoping.py")
        for door in DOORS:
            if rel == door.module:
                continue
            for line, message in _violations_in(tree, door):
                out.append(f"{rel}:{line}: {message}; only {door.module} may do that")
    return sorted(set(out))


def main() -> int:
    problems = find_violations(ROOT)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} way(s) around a door (see scripts/check_doors.py)")
        return 1
    print(
        "Doors: scope decided in orgs.scoping; task, meeting, fault states written by their services."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
