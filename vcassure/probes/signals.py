from django.dispatch import Signal

# Devices failed a probe (kwargs results: list[ProbeResult], label: str, at), sent after the
# results are stored. integrations turns each into a `probe.failed` webhook event.
probe_failed = Signal()
