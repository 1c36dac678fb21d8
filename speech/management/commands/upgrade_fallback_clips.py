from django.core.management.base import BaseCommand

from speech.engines import preferred_engine_available
from speech.services import clips_upgrade_fallbacks


class Command(BaseCommand):
    help = (
        "Replace the audio of clips made by the fallback engine (espeak while gTTS was unreachable) with "
        "the preferred engine's, oldest first; stops at the first failure. Safe to run from cron."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="upgrade at most this many clips")

    def handle(self, *args, limit: int | None, **options) -> None:
        upgraded, left = clips_upgrade_fallbacks(limit=limit)
        self.stdout.write(f"Upgraded {upgraded} fallback clip(s); {left} left.")
        if left and not preferred_engine_available():
            self.stderr.write("The preferred engine is unreachable (it just failed); the rest waits for the next run.")
