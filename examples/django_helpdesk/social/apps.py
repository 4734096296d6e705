"""The social queue: complaints posted in public become helpdesk tickets, each recovered by a
`recovery` case."""

from django.apps import AppConfig


class SocialConfig(AppConfig):
    """The app that embeds `recovery` in the helpdesk."""

    name = "social"
    default_auto_field = "django.db.models.BigAutoField"
