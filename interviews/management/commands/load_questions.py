from django.core.management.base import BaseCommand

from interviews.bank import question_load_bank


class Command(BaseCommand):
    help = "Load (or refresh) the built-in question bank. Safe to run any number of times."

    def handle(self, *args, **options) -> None:
        report = question_load_bank()
        self.stdout.write(f"Question bank: {report.imported} added, {report.duplicates} already present (refreshed).")
