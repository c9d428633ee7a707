"""Reads for joint tests: the venue × round matrix with its counts, failures first."""

from django.db.models import QuerySet

from vcassure.meetings.models import Meeting, TestResult, TestRound
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import subtree_q


def test_results_list(meeting: Meeting) -> QuerySet[TestResult]:
    return TestResult.objects.filter(round__meeting=meeting).select_related(
        "round", "venue", "org_unit"
    )


def meeting_cities(meeting: Meeting) -> QuerySet[OrgUnit]:
    """The cities the joint test's venues lie in, a round may be scheduled for one of them."""
    ids: set[int] = set()
    for path in meeting.venues.values_list("org_unit__path", flat=True):
        ids.update(OrgUnit.path_ids(path))
    return OrgUnit.objects.filter(pk__in=ids, level=OrgUnit.Level.CITY).order_by("code")


def round_applies(round_: TestRound, chain_ids: list[int]) -> bool:
    """A round for every venue (no city), or for the city the venue lies in."""
    return round_.city_id is None or round_.city_id in chain_ids


def eligible_rounds(rounds: list[TestRound], chain_ids: list[int], results: dict) -> set[int]:
    """The round numbers a venue takes part in: the first round that applies to it (its city's
    or every venue's), then each later applying round while its previous one failed.
    `results` maps a round number to the venue's TestResult."""
    eligible: set[int] = set()
    previous: TestResult | None = None
    first = True
    for round_ in rounds:
        if not round_applies(round_, chain_ids):
            continue
        if first or (previous is not None and previous.outcome == "fail"):
            eligible.add(round_.number)
        first = False
        previous = results.get(round_.number)
    return eligible


def test_rounds_list(meeting: Meeting) -> QuerySet[TestRound]:
    return TestRound.objects.filter(meeting=meeting).select_related("city").order_by("number")


def test_matrix(
    meeting: Meeting, *, unit: OrgUnit | None = None, venue_ids: set[int] | None = None
) -> dict:
    """Rows (one per venue, optionally under one city or county) with a cell per round: the
    result, and whether the venue takes part in that round. Failing venues first. A constant
    number of queries whatever the number of venues."""
    rounds = list(
        TestRound.objects.filter(meeting=meeting).select_related("city").order_by("number")
    )
    if not rounds:
        rounds = [TestRound(meeting=meeting, number=1)]
    qs = meeting.venues.select_related("org_unit").order_by("org_unit__path", "code")
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path))
    if venue_ids is not None:
        qs = qs.filter(pk__in=venue_ids)
    venues = list(qs)
    results: dict[tuple[int, int], TestResult] = {
        (r.venue_id, r.round.number): r for r in test_results_list(meeting)
    }
    rows = []
    counts = {"venues": len(venues), "passed": 0, "failed": 0, "untested": 0}
    for venue in venues:
        cells = []
        status: str = ""
        own = {n: r for (v, n), r in results.items() if v == venue.pk}
        eligible = eligible_rounds(rounds, venue.org_unit.chain_ids, own)
        for round_ in rounds:
            result = own.get(round_.number)
            cells.append({"round": round_, "result": result, "eligible": round_.number in eligible})
            if result is not None and result.outcome:
                status = str(result.outcome)
        counts["passed" if status == "pass" else "failed" if status == "fail" else "untested"] += 1
        rows.append({"venue": venue, "cells": cells, "status": status})
    order = {"fail": 0, "": 1, "pass": 2}
    rows.sort(key=lambda r: order[str(r["status"])])
    return {"rounds": rounds, "rows": rows, "counts": counts}
