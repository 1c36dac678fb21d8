"""CVs: storing a candidate's CV as text with a summary of it, and reading them back, owner only.

Services write (`cv_create`, `cv_delete`), selectors read (`cv_list_for_owner`, `cv_get_for_owner`),
and `cv_summarize` turns any text (a CV, a job description) into `{"skills": [...], "projects": [...]}`.
The uploaded file itself is never kept: reading it is interviews.documents' job, and only its text,
size and digest are stored.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import User
from config.errors import ApplicationError, NotFoundError
from interviews.cv_vocabulary import (
    ACTION_VERBS_EN,
    ACTION_VERBS_KO,
    EXACT_CASE,
    OTHER_HEADINGS,
    PROJECT_HEADINGS,
    SKILLS,
)
from interviews.documents import document_read
from interviews.matching import KOREAN_PARTICLES
from interviews.models import CurriculumVitae

MAX_SKILLS = 15
MAX_PROJECTS = 5
PROJECT_MAX_CHARS = 120
FILENAME_MAX_CHARS = 255  # CurriculumVitae.filename


class CvTooLarge(ApplicationError):
    status_code = 413
    code = "payload_too_large"

    def __init__(self, *, limit: int) -> None:
        super().__init__(f"The CV file is too large: at most {limit} bytes.", details={"limit": limit})


# --- Services ----------------------------------------------------------------------------------------


def cv_create(*, owner: User, filename: str, data: bytes) -> CurriculumVitae:
    """Store `data` as `owner`'s CV: its text (see interviews.documents), the summary of that text, its
    size and SHA-256, and `filename` reduced to a base name of at most 255 characters.

    Raises CvTooLarge (413 `payload_too_large`, `details.limit`) beyond `CV_MAX_BYTES`, and
    documents.InvalidFile (400 `invalid_file`) for a file that is not a readable PDF, DOCX or text;
    nothing is stored then. The same file uploaded twice is stored twice (each upload is the owner's
    to delete).
    """
    limit = settings.CV_MAX_BYTES
    if len(data) > limit:
        raise CvTooLarge(limit=limit)
    content_type, text = document_read(data=data)
    return CurriculumVitae.objects.create(
        owner=owner,
        filename=cv_filename(filename),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        summary=cv_summarize(text=text),
    )


def cv_delete(*, cv: CurriculumVitae) -> None:
    """Delete the CV. Interviews grounded in it stay, without it (their `cv` becomes null)."""
    cv.delete()


def cv_filename(name: str) -> str:
    """The name a CV is listed under: the base name (client paths of either kind dropped), without control
    characters, at most FILENAME_MAX_CHARS long with its extension kept; "cv" when nothing is left."""
    name = os.path.basename(name.replace("\\", "/"))
    name = " ".join("".join(char for char in name if char.isprintable()).split())
    if len(name) > FILENAME_MAX_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = stem[: FILENAME_MAX_CHARS - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:FILENAME_MAX_CHARS]
    return name or "cv"


# --- Selectors ---------------------------------------------------------------------------------------


def cv_list_for_owner(*, user: User) -> QuerySet[CurriculumVitae]:
    """The user's CVs, newest first, without their text (a list never shows it)."""
    return CurriculumVitae.objects.filter(owner_id=user.pk).defer("text").order_by("-created_at", "-id")


def cv_get_for_owner(*, user: User, cv_id: int) -> CurriculumVitae:
    """The user's own CV, text included, or NotFoundError (someone else's too: no existence leak)."""
    cv = CurriculumVitae.objects.filter(pk=cv_id, owner_id=user.pk).first()
    if cv is None:
        raise NotFoundError("CV not found.")
    return cv


# --- Summary -----------------------------------------------------------------------------------------


def cv_summarize(*, text: str) -> dict[str, list[str]]:
    """`{"skills": [...], "projects": [...]}` found in `text` (a CV or a job description).

    skills: display names of the known technologies of interviews.cv_vocabulary.SKILLS that occur as
    whole words (in English or Korean spelling, a Korean particle allowed after them), in order of
    first appearance, at most MAX_SKILLS. projects: at most MAX_PROJECTS lines, each at most
    PROJECT_MAX_CHARS characters, that describe a project: lines under a projects or experience
    heading, and bullet lines with an action verb ("built", "개발") anywhere; lines with such a verb
    first, then in the order of the text. Deterministic; never raises on any text.
    """
    return {"skills": _skills(text), "projects": _projects(text)}


_LATIN_WORD = "A-Za-z0-9_"
_HANGUL = "\uac00-\ud7a3"


def _alias_pattern(alias: str) -> str:
    # Spaces and hyphens inside a name are optional and interchangeable: "Spring Boot", "Spring-Boot".
    body = r"[\s\-]?".join(re.escape(part) for part in re.split(r"[\s\-]+", alias))
    return f"(?-i:{body})" if alias in EXACT_CASE else body


def _key(spelling: str) -> str:
    return re.sub(r"[\s\-]+", "", spelling).casefold()


@lru_cache(maxsize=1)
def _skill_matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    canonical = {_key(spelling): name for name, aliases in SKILLS.items() for spelling in (name, *aliases)}
    # Longest first, so that "Spring Boot" is found where "Spring" also would be.
    spellings = sorted((s for name, aliases in SKILLS.items() for s in (name, *aliases)), key=len, reverse=True)
    korean = "|".join(_alias_pattern(s) for s in spellings if re.search(f"[{_HANGUL}]", s))
    latin = "|".join(_alias_pattern(s) for s in spellings if not re.search(f"[{_HANGUL}]", s))
    particles = "|".join(re.escape(p) for p in KOREAN_PARTICLES)
    pattern = re.compile(
        # A Latin name ends where letters, digits, "+" and "#" do; a Korean word or particle may follow
        # directly ("Docker로", "Django기반").
        rf"(?<![{_LATIN_WORD}{_HANGUL}+#.@])(?:{latin})(?![{_LATIN_WORD}+#]|\.[{_LATIN_WORD}])"
        # Korean glues particles on ("파이썬을"); anything else glued on makes another word.
        rf"|(?<![{_LATIN_WORD}{_HANGUL}])(?:{korean})(?=(?:{particles})?(?![{_LATIN_WORD}{_HANGUL}]))",
        re.IGNORECASE,
    )
    return pattern, canonical


def _skills(text: str) -> list[str]:
    pattern, canonical = _skill_matcher()
    found: dict[str, None] = {}
    for match in pattern.finditer(text):
        found.setdefault(canonical[_key(match.group(0))], None)
        if len(found) == MAX_SKILLS:
            break
    return list(found)


_DASHES = "\u2013\u2014"  # en and em dash
_BULLET = re.compile(rf"^(?:[-*+•·‣◦▪▫■□●○◆◇▶▷►▸※✓✔➢➤→{_DASHES}]\s*|\d{{1,2}}[.)]\s+)")
_HEADING_NOISE = re.compile(rf"^[#\s\[(<【]+|[\s:\uff1a.\-{_DASHES}|\])>】]+$")
_VERB_EN = re.compile(r"(?<![A-Za-z])(?:" + "|".join(ACTION_VERBS_EN) + r")(?![A-Za-z])", re.IGNORECASE)
_VERB_KO = re.compile("|".join(ACTION_VERBS_KO))
_MIN_LETTERS = 6


def _heading(line: str) -> str | None:
    """Which known heading the line is ("projects" or "other"), or None for any other line."""
    words = " ".join(_HEADING_NOISE.sub("", _BULLET.sub("", line)).split()).casefold()
    if words in PROJECT_HEADINGS:
        return "projects"
    if words in OTHER_HEADINGS:
        return "other"
    return None


def _projects(text: str) -> list[str]:
    candidates: list[tuple[bool, int, str]] = []  # (without a verb, position, line)
    seen: set[str] = set()
    in_projects = False
    for position, raw in enumerate(text.splitlines()):
        line = " ".join(raw.split())
        heading = _heading(line)
        if heading is not None:
            in_projects = heading == "projects"
            continue
        is_bullet = _BULLET.match(line) is not None
        content = _BULLET.sub("", line).strip()
        has_verb = bool(_VERB_EN.search(content) or _VERB_KO.search(content))
        if not (in_projects or (is_bullet and has_verb) or (has_verb and _VERB_EN.match(content))):
            continue
        if sum(1 for char in content if char.isalpha()) < _MIN_LETTERS or content.casefold() in seen:
            continue
        seen.add(content.casefold())
        candidates.append((not has_verb, position, _shorten(content)))
    chosen = sorted(candidates)[:MAX_PROJECTS]
    return [line for _, _, line in sorted(chosen, key=lambda candidate: candidate[1])]


def _shorten(line: str) -> str:
    if len(line) <= PROJECT_MAX_CHARS:
        return line
    cut = line[: PROJECT_MAX_CHARS - 1]
    if " " in cut[PROJECT_MAX_CHARS // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"
