"""What orgs asks of or tells the apps above it. Receivers are connected in their AppConfig.ready()."""

from django.dispatch import Signal

# GET /api/staff/{id} is being answered: kwargs staff, user. A receiver returns a dict of fields
# to add (duty adds `calendar_url` for the person and administrators) or None.
staff_detail_extras = Signal()
