from django.core.management.base import BaseCommand

from chat.services import turn_orphans_reconcile


class Command(BaseCommand):
    help = (
        "Give back the quota units held by turns whose worker died mid-reply (killed, out of memory): "
        "their lease ran out with no reply stored. The answers stay stored and retryable. Safe to run "
        "at any time and from several machines (each unit is given back once); a cron job every few "
        "minutes keeps the staff's usage figures exact for candidates who never come back to retry."
    )

    def handle(self, *args, **options) -> None:
        given_back = turn_orphans_reconcile()
        self.stdout.write(f"Gave back {given_back} unit(s) held by interrupted turns.")
