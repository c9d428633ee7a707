"""What the probes app keeps in step when devices change outside a probe run: a venue's machine state
(VenueMachineDown) once a device is deleted or moved to another venue."""

from vcassure.probes.services import venue_machine_state_refresh


def on_equipment_pre_save(sender, *, instance, raw=False, **kwargs) -> None:
    """Remember the venue a device is moved away from (one query, for an existing device)."""
    if raw or instance.pk is None:
        return
    instance._venue_before = (
        sender.objects.filter(pk=instance.pk).values_list("venue_id", flat=True).first()
    )


def on_equipment_saved(sender, *, instance, created, raw=False, **kwargs) -> None:
    before = getattr(instance, "_venue_before", None)
    if not raw and not created and before is not None and before != instance.venue_id:
        venue_machine_state_refresh([before, instance.venue_id])


def on_equipment_deleted(sender, *, instance, **kwargs) -> None:
    """The device's status went with it: its venue may have no failing device left."""
    venue_machine_state_refresh([instance.venue_id])
