"""Writes for interviews that involve no interviewer turn (the turns live in chat.services)."""

from __future__ import annotations

from interviews.models import Interview


def interview_set_public(*, interview: Interview, is_public: bool) -> Interview:
    """Show or hide the interview in the public feed; only the flag and updated_at change."""
    interview.is_public = is_public
    interview.save(update_fields=["is_public", "updated_at"])
    return interview


def interview_delete(*, interview: Interview) -> None:
    """Delete the interview with its transcript. Quota already spent stays spent."""
    interview.delete()
