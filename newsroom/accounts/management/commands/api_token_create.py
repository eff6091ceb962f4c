"""`manage.py api_token_create <username> --name NAME [--days N] [--replace]`: make a write
API token and print its key (only the key, on stdout, for scripts); it is shown only now."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsroom.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Make a write API token for a user and print its key (shown only now)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What will use it.")
        parser.add_argument("--days", type=int, help="Valid for (API_TOKEN_MAX_AGE_DAYS at most).")
        parser.add_argument(
            "--replace", action="store_true", help="Revoke the user's token of this name first."
        )

    def handle(self, *args, username, name, days, replace, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            with transaction.atomic():
                if replace:
                    user.api_tokens.filter(name=name.strip()).delete()
                token, key = api_token_create(user=user, name=name, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.name!r} of {username}, valid until {token.expires_at:%Y-%m-%d %H:%M}"
            " UTC. Store the key now: it is not shown again."
        )
        self.stdout.write(key)
