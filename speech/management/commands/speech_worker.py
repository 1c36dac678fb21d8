import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run the speech worker processes that synthesize scheduled clips from the Redis queue "
        "(SPEECH_QUEUE=redis): Dramatiq's CLI on speech.worker, in the foreground until SIGTERM/SIGINT."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--processes", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPU count)"
        )
        parser.add_argument(
            "--threads", type=int, default=None, help="synthesis threads per process (default: SPEECH_WORKERS)"
        )

    def handle(self, *args, processes: int, threads: int | None, **options) -> None:
        if settings.SPEECH_QUEUE != "redis":
            raise CommandError("SPEECH_QUEUE is not redis: the app processes synthesize in their own threads.")
        threads = threads or max(settings.SPEECH_WORKERS, 1)
        argv = [sys.executable, "-m", "dramatiq", "speech.worker:broker", "--path", str(settings.BASE_DIR)]
        argv += ["--processes", str(max(processes, 1)), "--threads", str(max(threads, 1))]
        sys.stdout.flush()
        # exec, not a child: signals from the container runtime or systemd reach Dramatiq's main process.
        os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter, fixed arguments
