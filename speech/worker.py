"""What each speech worker process loads: Django, then the queue's broker with the synthesis actor.

`python manage.py speech_worker` runs Dramatiq's CLI as `dramatiq speech.worker:broker`; its worker
processes import this module, so it sets Django up itself (DJANGO_SETTINGS_MODULE as manage.py sets it).
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from speech.services import synthesis_queue  # noqa: E402 - needs the apps loaded

broker = synthesis_queue.broker()
