"""Test modules share code through tests/factories/ (factories and builders) and conftest.py
fixtures, never by importing one another: a helper imported from a test_*.py module, from a
conftest.py, or from another app's tests package makes pytest collect that module's tests twice or
ties two apps' tests together. This walks every test module and conftest with `ast`."""

import ast
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".git", "node_modules", "__pycache__"}


def _module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _imported(tree: ast.Module, module: str) -> list[tuple[int, list[str]]]:
    """(line, candidate dotted names) per import statement, relative ones resolved; for
    `from a import b` the candidates are `a`, then `a.b` (b may be a module)."""
    package = module.rsplit(".", 1)[0].split(".")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, [alias.name]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            found.append((node.lineno, [base, *(f"{base}.{a.name}" for a in node.names)]))
    return found


def _urlconf_strings(tree: ast.Module) -> list[tuple[int, str]]:
    """String arguments of `pytest.mark.urls(...)`: a URLconf is a module too."""
    return [
        (node.lineno, arg.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "urls"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "mark"
        for arg in node.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    ]


def _why_not(target: str, module: str) -> str | None:
    parts = target.split(".")
    if any(part.startswith("test_") for part in parts) and target != module:
        return "imports a test module"
    if "conftest" in parts:
        return "imports a conftest (fixtures are found by pytest; helpers go in tests/factories/)"
    in_an_apps_tests = parts[0] == "vcassure" and len(parts) > 2 and parts[2] == "tests"
    if in_an_apps_tests and module.split(".")[:3] != parts[:3]:
        return "imports another app's tests package"
    return None


def find_violations(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if SKIP & set(relative.parts):
            continue
        if not (path.name.startswith("test_") or path.name == "conftest.py"):
            continue
        module = _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, candidates in _imported(tree, module):
            for target in candidates:
                reason = _why_not(target, module)
                if reason:
                    found.append(f"{relative}:{line}: {reason}: {target}")
                    break
        for line, target in _urlconf_strings(tree):
            reason = _why_not(target, module)
            if reason:
                found.append(f"{relative}:{line}: {reason} (as its URLconf): {target}")
    return found


def _plant(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return find_violations(tmp_path)


def test_no_test_module_imports_another():
    assert find_violations(ROOT) == []


def test_planted_imports_between_tests_are_caught(tmp_path):
    found = _plant(
        tmp_path,
        {
            "vcassure/meetings/tests/test_dispatch.py": "def make_meeting(): ...\n",
            "vcassure/meetings/tests/test_notify.py": """
                from vcassure.meetings.tests.test_dispatch import make_meeting
                from .test_dispatch import make_meeting as again
                from vcassure.meetings.tests import test_dispatch
                """,
            "vcassure/faults/tests/test_faults.py": """
                import pytest
                from vcassure.meetings.tests.conftest import province
                from vcassure.venues.tests.factories import VenueFactory
                pytestmark = pytest.mark.urls("vcassure.meetings.tests.test_field_pages")
                """,
            "tests/browser/test_csp.py": "from tests.security.conftest import field_setup\n",
        },
    )
    text = "\n".join(found)
    notify = "vcassure/meetings/tests/test_notify.py"
    assert f"{notify}:2: imports a test module: vcassure.meetings.tests.test_dispatch" in text
    assert f"{notify}:3: imports a test module: vcassure.meetings.tests.test_dispatch" in text
    assert f"{notify}:4: imports a test module: vcassure.meetings.tests.test_dispatch" in text
    faults = "vcassure/faults/tests/test_faults.py"
    assert f"{faults}:3: imports a conftest" in text
    assert f"{faults}:4: imports another app's tests package: vcassure.venues.tests" in text
    assert f"{faults}:5: imports a test module (as its URLconf)" in text
    assert "tests/browser/test_csp.py:1: imports a conftest" in text


def test_shared_factories_fixtures_and_own_app_helpers_pass(tmp_path):
    found = _plant(
        tmp_path,
        {
            "vcassure/meetings/tests/conftest.py": "from tests.factories.meetings import make_meeting\n",
            "vcassure/meetings/tests/helpers.py": "",
            "vcassure/meetings/tests/test_notify.py": """
                import pytest
                from tests.factories.meetings import make_meeting
                from tests.factories.orgs import StaffFactory
                from tests.fakes import FakeDingTalk
                from vcassure.meetings.tests.helpers import something
                from vcassure.meetings import services
                pytestmark = pytest.mark.urls(__name__)
                """,
        },
    )
    assert found == []
