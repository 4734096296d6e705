"""`python manage.py recovery_worker [--once]`: fire the engine's due timers, deliver its
webhooks and bring its events back as ticket follow-ups, every few seconds."""

import time

from django.core.management.base import BaseCommand

from social.recovery import engine, follow_feed


class Command(BaseCommand):
    help = "Run recovery's timers and outbox, and follow its feed into the tickets."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One round, then stop.")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, **options):
        while True:
            fired = engine().tick()
            delivered = engine().outbox.deliver()
            followed = follow_feed()
            self.stdout.write(f"{len(fired)} timer(s) fired, {len(delivered)} webhook(s) "
                              f"tried, {followed} event(s) followed")
            if options["once"]:
                return
            time.sleep(options["interval"])
