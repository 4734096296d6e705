"""The social queue, run as a helpdesk runs it: every write in Django's transaction, the
subscribers told on commit, the ticket's buttons from the truthful listing, the feed back as
follow-ups. `python manage.py test social` (the project's own tests run it too)."""

from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.test import TransactionTestCase
from helpdesk.models import FollowUp, Ticket

from social.models import Recovery
from social.recovery import act, buttons, engine, open_ticket


class SocialQueue(TransactionTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        engine().close()  # its connections, before Django drops the test database
        engine.cache_clear()
        super().tearDownClass()

    def test_a_view_that_fails_keeps_neither_the_ticket_nor_its_case(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            open_ticket(channel="twitter", author="@jana", text="Cold soup again",
                        post="tw-rolled-back")
            raise RuntimeError("the view failed after opening the ticket")
        self.assertFalse(Ticket.objects.exists())
        self.assertIsNone(engine().case_for("bistro", "tw-rolled-back"))
        self.assertTrue(engine().audit().ok)

    def test_a_ticket_and_its_case_are_kept_together_and_told_after_the_commit(self) -> None:
        heard = []
        stop = engine().subscribe(heard.append)
        try:
            with transaction.atomic():
                ticket = open_ticket(channel="twitter", author="@ola", text="Cold soup again",
                                     post="tw-kept")
                self.assertEqual(heard, [])  # not yet: the helpdesk has not committed
        finally:
            stop()
        case = engine().case(ticket.recovery.case_id)
        self.assertEqual((case.external_id, case.author), ("tw-kept", "@ola"))
        self.assertEqual(heard[0].trigger, "open")  # (and an after-hours notice, at night)
        again = open_ticket(channel="twitter", author="@ola", text="Cold soup again",
                            post="tw-kept")
        self.assertEqual(again.id, ticket.id)  # the same post: the same ticket

    def test_every_button_of_a_ticket_does_what_it_says(self) -> None:
        ticket = open_ticket(channel="twitter", author="@iva", text="Cold soup, table 4",
                             post="tw-buttons")
        offered = [option.trigger for option in buttons(ticket) if option.via is None]
        self.assertEqual(offered, ["acknowledge"])
        act(ticket, "acknowledge", by="eva", note="Public reply posted")
        act(ticket, "investigate", by="eva")
        self.assertEqual(engine().case(ticket.recovery.case_id).state, "investigating")
        via = {option.trigger: option.via for option in buttons(ticket) if option.via}
        self.assertEqual(via.get("record_finding"), "record_finding")
        titles = list(FollowUp.objects.filter(ticket=ticket).values_list("title", flat=True))
        self.assertEqual(titles, ["acknowledge by eva", "investigate by eva"])

    def test_the_worker_brings_the_engines_events_back_as_follow_ups(self) -> None:
        ticket = open_ticket(channel="twitter", author="@petr", text="Cold soup again",
                             post="tw-worker")
        act(ticket, "acknowledge", by="eva")
        call_command("recovery_worker", "--once", stdout=StringIO())
        followed = set(FollowUp.objects.filter(ticket=ticket, title__startswith="recovery:")
                       .values_list("title", flat=True))
        self.assertTrue({"recovery: open", "recovery: acknowledge"} <= followed, followed)
        self.assertEqual(Recovery.objects.count(), 1)
