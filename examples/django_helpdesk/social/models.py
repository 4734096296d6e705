"""What the helpdesk keeps of `recovery`: which case recovers which ticket, and how far it has
read the engine's feed. (The cases themselves are in the engine's own tables.)"""

from django.db import models
from helpdesk.models import Ticket


class Recovery(models.Model):
    """The case that recovers a ticket of the social queue."""

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="recovery")
    case_id = models.BigIntegerField(unique=True)
    brand = models.CharField(max_length=64)


class FeedCursor(models.Model):
    """The id of the last event of the engine's feed turned into a ticket follow-up."""

    name = models.CharField(max_length=32, primary_key=True)
    last_id = models.BigIntegerField(default=0)
