from django.core.management.base import BaseCommand

from interviews.bank import question_load_bank


class Command(BaseCommand):
    help = (
        "Load the built-in question bank: add new questions, refresh untouched ones, keep questions edited "
        "by staff or imported. Safe to run any number of times."
    )

    def handle(self, *args, **options) -> None:
        report = question_load_bank()
        refreshed = report.duplicates - report.kept
        self.stdout.write(
            f"Question bank: {report.imported} added, {refreshed} refreshed, "
            f"{report.kept} kept as edited by staff or imported."
        )
