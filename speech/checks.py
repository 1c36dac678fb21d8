"""Startup checks: a SPEECH_ENGINE outside the registry fails `manage.py check` and every server
start, instead of the first clip a candidate asks for."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from speech.engines import AUTO, ENGINES


@register()
def check_speech_engine(app_configs: object = None, **kwargs: object) -> list[Error]:
    if settings.SPEECH_ENGINE == AUTO or settings.SPEECH_ENGINE in ENGINES:
        return []
    choices = ", ".join([AUTO, *ENGINES])
    return [
        Error(
            f"SPEECH_ENGINE is {settings.SPEECH_ENGINE!r}; it must be one of {choices}.",
            hint="Set SPEECH_ENGINE to a registered engine name (an import path is not accepted).",
            id="speech.E001",
        )
    ]


@register()
def check_speech_to_text(app_configs: object = None, **kwargs: object) -> list[Error]:
    # Caught at start-up rather than as a 500 on a candidate's first dictated answer.
    if settings.STT_MODEL and not settings.STT_API_KEY:
        return [
            Error(
                f"STT_MODEL is {settings.STT_MODEL!r} but there is no key for it.",
                hint="Set STT_API_KEY (or OPENAI_API_KEY); any value works for a local Whisper server.",
                id="speech.E002",
            )
        ]
    return []
