"""Who a failed login locks out: django-axes' AXES_LOCKOUT_PARAMETERS (config/settings/base.py).

Each parameter set counts failures on its own and locks at LOGIN_FAILURE_LIMIT:

- "ip_address": failures from one address, whatever names it tried. A guessing address is
  stopped, right password or not. The username + address pair needs no set of its own: its
  failures are part of the address's, so it is locked whenever the address is.
- "username": failures on one name from any address. This stops guesses spread over many
  addresses, but a hard lock on the name would let anyone lock a dispatcher out during an
  incident. So it applies only to addresses the name never logged in from: from where the person
  logged in before (LOGIN_KNOWN_ADDRESS_DAYS), the right password still gets in, unless that
  address itself is locked.
"""

from axes.helpers import get_client_username
from django.http import HttpRequest

from vcassure.accounts.selectors import login_address_is_known


def lockout_parameters(
    request: HttpRequest, credentials: dict | None = None
) -> list[str | list[str]]:
    username = get_client_username(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None)
    if not username:
        return ["ip_address"]
    if ip_address and login_address_is_known(username=username, ip_address=ip_address):
        return ["ip_address"]
    return ["ip_address", "username"]
