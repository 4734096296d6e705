#!/usr/bin/env python
"""Django's command line for the example helpdesk (`python manage.py test social`)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "care.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
