from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from vcassure.core.api import LimitOffsetPagination
from vcassure.core.schemas import ObjectId
from vcassure.orgs.models import OrgUnit
from vcassure.venues import selectors
from vcassure.venues.schemas import CustomerSystemOut, VenueDetailOut, VenueOut

router = Router(tags=["venues"])


class VenueFilter(Schema):
    system: str = ""
    level: OrgUnit.Level | None = None
    org_unit: ObjectId | None = None
    q: str = ""


@router.get("/systems", response=list[CustomerSystemOut], summary="Customer systems")
@paginate(LimitOffsetPagination)
def system_list(request: HttpRequest):
    return selectors.customer_system_list()


@router.get("/venues", response=list[VenueOut], summary="Venues in the caller's scope")
@paginate(LimitOffsetPagination)
def venue_list(request: HttpRequest, filters: Query[VenueFilter]):
    return selectors.venue_list(
        user=request.user,
        system=filters.system,
        level=filters.level or "",
        org_unit=filters.org_unit,
        q=filters.q,
    )


@router.get("/venues/{int:venue_id}", response=VenueDetailOut)
def venue_detail(request: HttpRequest, venue_id: int):
    return selectors.venue_get(user=request.user, pk=venue_id)
