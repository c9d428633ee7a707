"""The `make lint` check that keeps every task, meeting and fault state write behind its door."""

import importlib.util
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("check_doors", ROOT / "scripts/check_doors.py")
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)


def _plant(tmp_path, source: str) -> list[str]:
    module = tmp_path / "vcassure" / "planted" / "views.py"
    module.parent.mkdir(parents=True)
    module.write_text(textwrap.dedent(source), encoding="utf-8")
    return check.find_violations(tmp_path)


def test_the_tree_has_no_write_outside_a_door():
    assert check.find_violations(ROOT) == []


def test_a_planted_state_write_is_caught(tmp_path):
    found = _plant(
        tmp_path,
        """
        def close(task, meeting, fault):
            task.state = "done"
            task.save()
            SupportTask.objects.filter(meeting=meeting).update(state="cancelled")
            TaskTransition.objects.create(task=task, from_state="ready", to_state="done")
            meeting.transition_to("ended")
            meeting.save(update_fields=["state"])
            setattr(fault, "state", "closed")
            FaultEvent(fault=fault, kind="closed")
        """,
    )
    text = "\n".join(found)
    assert "views.py:3: assigns task.state" in text
    assert "views.py:4: saves a SupportTask's state with save()" in text
    assert "views.py:5: writes SupportTask.state through update()" in text
    assert "views.py:6: writes TaskTransition rows (create)" in text
    assert "views.py:7: moves a Meeting with transition_to()" in text
    assert "views.py:8: saves a Meeting's state with save()" in text
    assert "views.py:9: sets a Fault's state with setattr()" in text
    assert "views.py:10: creates a FaultEvent row" in text


def test_other_fields_and_reads_are_allowed(tmp_path):
    assert (
        _plant(
            tmp_path,
            """
            def note(task):
                task.checked_in_at = now
                task.save(update_fields=["checked_in_at"])
                SupportTask.objects.filter(state="ready").update(missed_ready_at=now)
                TaskTransition.objects.filter(task=task).count()
            """,
        )
        == []
    )


def test_a_scope_decided_by_hand_is_caught(tmp_path):
    found = _plant(
        tmp_path,
        """
        from vcassure.orgs.scoping import user_scope_path

        def rows(user, qs, path):
            qs.filter(org_unit__path__startswith=path)
            qs.filter(**{"recipient__org_unit__path__startswith": path})
            return user_scope_path(user)
        """,
    )
    text = "\\n".join(found)
    assert "views.py:2: imports the raw scope (user_scope_path)" in text
    assert "views.py:5: filters on org_unit__path__startswith by hand" in text
    assert "views.py:6: builds a path__startswith lookup by hand" in text
    assert "views.py:7: reads the raw scope (user_scope_path)" in text
