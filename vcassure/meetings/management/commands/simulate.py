"""manage.py simulate MEETING | --new [--venues N] [--speed S]: play a meeting with a simulated
crowd through the same services people use (see meetings/management/simulation.py)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from vcassure.accounts.models import User
from vcassure.meetings.models import Meeting


class Command(BaseCommand):
    help = "Play a published meeting (or --new: a demo one) with a simulated crowd, compressed in time."

    def add_arguments(self, parser):
        parser.add_argument("meeting", nargs="?", type=int, help="id of a published meeting")
        parser.add_argument("--new", action="store_true", help="create and publish a demo meeting")
        parser.add_argument("--venues", type=int, default=30)
        parser.add_argument("--system", default="water")
        parser.add_argument("--starts-in", type=int, default=120, help="minutes (with --new)")
        parser.add_argument("--speed", type=float, default=60.0, help="simulated s per real s")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--as", dest="username", default="dispatcher")

    def handle(self, *args, **options):
        try:
            import time_machine  # noqa: F401
        except ImportError as exc:  # pragma: no cover
            raise CommandError("simulate needs the dev dependencies (time-machine).") from exc
        from vcassure.meetings.management.simulation import Simulation, demo_meeting

        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r} (use --as USERNAME)")
        if options["new"]:
            meeting = demo_meeting(
                by=user,
                system=options["system"],
                venues=options["venues"],
                starts_in=timedelta(minutes=options["starts_in"]),
            )
            self.stdout.write(f"meeting {meeting.pk} published: {meeting.title}")
        elif options["meeting"]:
            found = Meeting.objects.filter(pk=options["meeting"]).first()
            if found is None or found.state != Meeting.State.PUBLISHED:
                raise CommandError("give the id of a published meeting, or --new")
            meeting = found
        else:
            raise CommandError("give a meeting id or --new")
        sim = Simulation(
            meeting, by=user, speed=options["speed"], seed=options["seed"], out=self.stdout.write
        )
        r = sim.run()
        self.stdout.write(
            f"venues {r.venues}; notices {r.notices}: acked on time {r.acked_on_time}, late "
            f"{r.acked_late}, never {r.never}; escalations {r.escalations} ({r.rungs} rungs); "
            f"overdue reminders {r.overdue}; check-ins {r.check_ins}; steps passed "
            f"{r.steps_passed}, failed {r.steps_failed}; faults opened {r.faults_opened}, "
            f"restored {r.faults_restored}; photos {r.photos}; tasks {r.tasks}; "
            f"{r.sim_minutes} simulated minutes in {r.wall_seconds} s"
        )
        problems = r.consistent()
        if problems:
            raise CommandError("; ".join(problems))
