#!/usr/bin/env python3
"""One door per state machine: fails (exit 1) when a module other than a model's door writes its
state or creates its transition rows. Run by `make lint`; reads the source, imports nothing.

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
        module="vcassure/faults/services.py",
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
        print(f"{len(problems)} write(s) outside a state door (see scripts/check_write_paths.py)")
        return 1
    print("State doors: every task, meeting and fault state write goes through its service.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
