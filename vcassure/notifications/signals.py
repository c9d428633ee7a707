"""What notifications tells the apps above it. Receivers are connected in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent after commit-worthy acknowledgement: kwargs notification, via, at.
notification_acknowledged = Signal()
