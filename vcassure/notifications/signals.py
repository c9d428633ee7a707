"""What notifications tells the apps above it. Receivers are connected in their AppConfig.ready()."""

from django.dispatch import Signal

# A person acknowledged a notice: kwargs notification, via, at, by.
notification_acknowledged = Signal()

# A personal notice reached its recipient on some channel for the first time: kwargs notification, channel, at.
notification_delivered = Signal()
