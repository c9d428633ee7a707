from vcassure.core.subjects import meeting_ref, subject_id, task_id_of, task_ref


def test_a_reference_round_trips():
    assert task_ref(12) == "task:12"
    assert task_id_of(task_ref(12)) == 12
    assert subject_id(meeting_ref(3), "meeting") == 3


def test_another_kind_or_a_malformed_reference_is_none():
    assert task_id_of("meeting:3") is None
    assert subject_id("task:3", "meeting") is None
    for bad in ("", None, "task:", "task", "task:1x", "task:-1", "task:١٢", "task:1:2"):
        assert task_id_of(bad) is None, bad
    assert subject_id("fault:7", "fault") == 7
