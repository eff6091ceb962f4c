"""Give the Writer and Editor groups every permission of their role (`articles.roles`).

    manage.py roles_sync

Safe to run any time: groups are made if missing, permissions only added.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from articles.roles import roles_sync


class Command(BaseCommand):
    help = "Make the Writer and Editor groups and give them their role's permissions."

    def handle(self, *args, **options) -> None:
        for group, count in roles_sync().items():
            self.stdout.write(f"{group}: {count} permission(s) added.")
