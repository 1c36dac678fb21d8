"""CVs: upload (type by content, bounded, hostile files refused), list, delete, and the summary."""

from __future__ import annotations

import contextlib
import hashlib
import json
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from config.testing import assert_error
from config.uploads import BoundedMemoryUploadHandler
from interviews import documents
from interviews.cv_vocabulary import SKILLS
from interviews.cvs import CvTooLarge, cv_create, cv_filename, cv_summarize
from interviews.documents import InvalidFile, document_read
from interviews.models import CurriculumVitae, Interview
from interviews.tests.documents import (
    docx_bytes,
    image_only_pdf,
    pdf_bytes,
    replace_member,
    with_padded_document_xml,
)
from interviews.tests.factories import InterviewFactory

pytestmark = pytest.mark.django_db

URL = "/api/cvs/"
CV_LINES = [
    "Jane Doe - Backend Engineer",
    "Skills: Python, Django, postgres, Docker, k8s",
    "Projects",
    "- Built a payment service (Kafka, Redis) handling 2M events a day",
    "- Led the migration from MySQL to PostgreSQL",
    "Education",
    "BSc Computer Science, 2018",
]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def upload(client, data: bytes, name: str = "cv.pdf", content_type: str = "application/octet-stream"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type=content_type)}, format="multipart")


def assert_refused(response, user, status: int, code: str) -> dict:
    error = assert_error(response, status, code)
    assert not CurriculumVitae.objects.filter(owner=user).exists()
    return error


# --- Upload: what is read ------------------------------------------------------------------------


def test_it_reads_a_pdf_and_answers_its_summary_without_the_text(auth_client, user):
    data = pdf_bytes(CV_LINES)
    response = upload(auth_client, data, "jane.pdf", "application/pdf")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"id", "filename", "size", "created_at", "summary"}
    assert "text" not in body
    assert body["filename"] == "jane.pdf"
    assert body["size"] == len(data)
    assert body["summary"]["skills"] == [
        "Python",
        "Django",
        "PostgreSQL",
        "Docker",
        "Kubernetes",
        "Kafka",
        "Redis",
        "MySQL",
    ]
    assert body["summary"]["projects"] == [
        "Built a payment service (Kafka, Redis) handling 2M events a day",
        "Led the migration from MySQL to PostgreSQL",
    ]
    cv = CurriculumVitae.objects.get(pk=body["id"])
    assert cv.owner == user
    assert cv.content_type == "application/pdf"
    assert cv.sha256 == hashlib.sha256(data).hexdigest()
    assert "Skills: Python, Django, postgres, Docker, k8s" in cv.text
    assert cv.summary == body["summary"]


def test_it_reads_a_docx_with_its_paragraphs_and_tables(auth_client, user):
    data = docx_bytes(
        ["John Kim", "Project Experience", "Developed an Android app with Kotlin and Firebase"],
        table=[["Languages", "TypeScript, Go"], ["Frameworks", "React, Next.js"]],
    )
    response = upload(auth_client, data, "john.docx")
    assert response.status_code == 201, response.content
    summary = response.json()["summary"]
    assert summary["skills"] == ["Android", "Kotlin", "Firebase", "TypeScript", "Go", "React", "Next.js"]
    assert summary["projects"][0] == "Developed an Android app with Kotlin and Firebase"
    cv = CurriculumVitae.objects.get(owner=user)
    assert cv.content_type == documents.DOCX
    assert "Languages | TypeScript, Go" in cv.text


def test_it_reads_a_korean_text_cv_with_a_bom(auth_client, user):
    text = "\n".join(
        [
            "김민수 백엔드 개발자",
            "",
            "기술 스택",
            "파이썬, 스프링부트, 리액트를 사용합니다.",
            "쿠버네티스 운영 경험",
            "",
            "프로젝트",
            "- 결제 시스템 설계 및 구축",
            "- 추천 API 개발",
        ]
    )
    response = upload(auth_client, b"\xef\xbb\xbf" + text.encode(), "이력서.txt", "text/plain")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["filename"] == "이력서.txt"
    assert body["summary"]["skills"] == ["Python", "Spring Boot", "React", "Kubernetes"]
    assert body["summary"]["projects"] == ["결제 시스템 설계 및 구축", "추천 API 개발"]
    cv = CurriculumVitae.objects.get(owner=user)
    assert cv.content_type == "text/plain"
    assert cv.text.startswith("김민수 백엔드 개발자")  # no BOM kept


def test_a_pdf_named_docx_is_read_as_a_pdf(auth_client, user):
    response = upload(auth_client, pdf_bytes(CV_LINES), "cv.docx", documents.DOCX)
    assert response.status_code == 201, response.content
    assert CurriculumVitae.objects.get(owner=user).content_type == "application/pdf"


def test_a_pdf_readable_without_a_password_is_read_though_editing_is_restricted(auth_client, user):
    response = upload(auth_client, pdf_bytes(CV_LINES, owner_password="owner-only"))
    assert response.status_code == 201, response.content
    assert "Python" in response.json()["summary"]["skills"]


def test_control_characters_are_dropped_and_whitespace_normalised(auth_client, user):
    text = "Jane\x00 Doe\t\tengineer\r\n\r\n\r\n\r\nPython\u200b and  Django\x0bskills " + "x" * 100
    assert upload(auth_client, text.encode(), "cv.txt").status_code == 201
    stored = CurriculumVitae.objects.get(owner=user).text
    assert stored.startswith("Jane Doe engineer\n\nPython and Django\nskills ")


def test_only_the_first_pages_and_a_bounded_text_are_kept(auth_client, user):
    pages = [[f"Page {n} of the CV with Python"] for n in range(1, documents.MAX_PDF_PAGES + 6)]
    assert upload(auth_client, pdf_bytes(*pages)).status_code == 201
    stored = CurriculumVitae.objects.get(owner=user).text
    assert f"Page {documents.MAX_PDF_PAGES} of" in stored
    assert f"Page {documents.MAX_PDF_PAGES + 1} of" not in stored
    _, long_text = document_read(data=("Python developer " * 10_000).encode())
    assert documents.MAX_TEXT_CHARS - 20 < len(long_text) <= documents.MAX_TEXT_CHARS


def test_the_filename_is_a_trimmed_base_name(auth_client, user):
    response = upload(auth_client, b"Python developer", "a" * 300 + ".txt")
    assert response.status_code == 201, response.content
    assert response.json()["filename"] == "a" * 251 + ".txt"
    assert cv_filename("C:\\Users\\me\\My CV.pdf") == "My CV.pdf"
    assert cv_filename("../../etc/passwd") == "passwd"
    assert cv_filename("\x00\n") == "cv"


# --- Upload: what is refused ---------------------------------------------------------------------


def test_it_refuses_png_bytes_named_cv_pdf(auth_client, user):
    error = assert_refused(upload(auth_client, PNG, "cv.pdf", "application/pdf"), user, 400, "invalid_file")
    assert error["message"] == "Send a PDF, DOCX or plain-text CV."


@pytest.mark.parametrize(
    "data",
    [
        "Lebenslauf: Größe".encode("latin-1"),  # not UTF-8
        b"PK\x03\x04" + bytes(200),  # a ZIP signature, no archive
        docx_bytes(["Python"]).replace(b"word/document.xml", b"word/documenx.xml"),  # a ZIP, not Word
        b"{\\rtf1\\ansi Python developer}",
        b"Python \x01\x02\x03\x04\x05\x06\x07\x08 developer",  # mostly control bytes
        b"   \n\t  ",
    ],
    ids=["latin-1", "zip-signature", "other-zip", "rtf", "binary", "blank"],
)
def test_it_refuses_what_is_not_a_pdf_docx_or_text(auth_client, user, data):
    assert_refused(upload(auth_client, data, "cv.txt"), user, 400, "invalid_file")


def test_it_refuses_a_password_protected_pdf(auth_client, user):
    response = upload(auth_client, pdf_bytes(CV_LINES, user_password="secret"))
    error = assert_refused(response, user, 400, "invalid_file")
    assert error["message"].startswith("This PDF is password-protected")


@pytest.mark.parametrize(
    "data",
    [
        pdf_bytes(CV_LINES)[:300],  # truncated
        b"%PDF-1.7\n" + bytes(range(256)) * 4,
        b"%PDF-",
    ],
    ids=["truncated", "garbage", "header-only"],
)
def test_it_refuses_a_damaged_pdf(auth_client, user, data):
    error = assert_refused(upload(auth_client, data), user, 400, "invalid_file")
    assert error["message"] == documents.DAMAGED_PDF


def test_it_refuses_a_damaged_docx(auth_client, user):
    data = docx_bytes(["Python developer"])
    assert_refused(upload(auth_client, data[: len(data) // 2], "cv.docx"), user, 400, "invalid_file")
    unparsable = replace_member(data, "word/document.xml", b"<w:document><unclosed>")
    error = assert_refused(upload(auth_client, unparsable, "cv.docx"), user, 400, "invalid_file")
    assert error["message"] == documents.DAMAGED_DOCX


def test_it_refuses_a_docx_zip_bomb_by_its_declared_size(auth_client, user):
    bomb = with_padded_document_xml(docx_bytes(["Python developer"]), padding=documents.MAX_DOCX_XML_BYTES)
    assert len(bomb) < 100_000
    error = assert_refused(upload(auth_client, bomb, "cv.docx"), user, 400, "invalid_file")
    assert error["message"] == documents.TOO_BIG_DOCX


def test_it_refuses_an_image_only_pdf_as_scanned(auth_client, user):
    error = assert_refused(upload(auth_client, image_only_pdf()), user, 400, "invalid_file")
    assert "scanned" in error["message"]
    assert "DOCX" in error["message"]


def test_no_damage_to_a_pdf_makes_anything_but_invalid_file():
    data = pdf_bytes(CV_LINES, ["Second page with Django"])
    rng = random.Random(20261128)
    for _ in range(150):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            mutated[rng.randrange(9, len(mutated))] = rng.randrange(256)
        with contextlib.suppress(InvalidFile):  # anything else fails the test
            document_read(data=bytes(mutated))


# --- Upload: size and shape of the request -------------------------------------------------------


def test_a_file_over_the_limit_is_413_with_the_limit_and_nothing_is_stored(auth_client, user, settings):
    settings.CV_MAX_BYTES = 1_000
    error = assert_refused(upload(auth_client, b"P" * 1_001, "cv.txt"), user, 413, "payload_too_large")
    assert error["details"] == {"limit": 1_000}
    assert upload(auth_client, b"P" * 1_000, "cv.txt").status_code == 201


def test_reading_stops_at_the_limit_whatever_the_field(auth_client, user, settings):
    settings.CV_MAX_BYTES = 1_000
    files = {"attachment": SimpleUploadedFile("big.bin", b"x" * 1_001)}
    assert_refused(auth_client.post(URL, files, format="multipart"), user, 413, "payload_too_large")
    handler = BoundedMemoryUploadHandler(limit=10, too_large=lambda limit: CvTooLarge(limit=limit))
    handler.new_file("file", "cv.txt", "text/plain", 11)
    handler.receive_data_chunk(b"x" * 10, 0)
    with pytest.raises(CvTooLarge):
        handler.receive_data_chunk(b"x", 10)


def test_the_service_refuses_a_file_over_the_limit_too(user, settings):
    settings.CV_MAX_BYTES = 10
    with pytest.raises(CvTooLarge):
        cv_create(owner=user, filename="cv.txt", data=b"Python developer")
    assert not CurriculumVitae.objects.exists()


def test_the_default_limit_takes_five_mebibytes_and_refuses_one_byte_more(auth_client, user, settings):
    assert settings.CV_MAX_BYTES == 5 * 1024 * 1024
    data = (b"Python developer. " * 300_000)[: settings.CV_MAX_BYTES]
    assert upload(auth_client, data, "big.txt").status_code == 201
    error = assert_error(upload(auth_client, data + b"x", "bigger.txt"), 413, "payload_too_large")
    assert error["details"] == {"limit": 5 * 1024 * 1024}
    assert CurriculumVitae.objects.filter(owner=user).count() == 1


def test_a_missing_file_is_a_validation_error_naming_it(auth_client, user):
    error = assert_refused(auth_client.post(URL, {"name": "cv"}, format="multipart"), user, 400, "validation_error")
    assert "file" in error["details"]
    assert_refused(auth_client.post(URL, {"file": "cv"}, format="json"), user, 415, "unsupported_media_type")


def test_anonymous_is_401(api_client, user):
    cv = cv_create(owner=user, filename="cv.txt", data=b"Python developer")
    assert_error(upload(api_client, b"Python developer"), 401, "not_authenticated")
    assert_error(api_client.get(URL), 401, "not_authenticated")
    assert_error(api_client.delete(f"{URL}{cv.id}/"), 401, "not_authenticated")
    assert CurriculumVitae.objects.count() == 1


# --- List and delete -----------------------------------------------------------------------------


def test_list_shows_only_my_cvs_newest_first_without_their_text(auth_client, user, other_user):
    old = cv_create(owner=user, filename="old.txt", data=b"Python developer")
    new = cv_create(owner=user, filename="new.txt", data=b"Go developer")
    cv_create(owner=other_user, filename="theirs.txt", data=b"Rust developer")
    body = auth_client.get(URL).json()
    assert [cv["id"] for cv in body["results"]] == [new.id, old.id]
    assert body["count"] == 2
    assert body["results"][0]["summary"] == {"skills": ["Go"], "projects": []}
    assert all("text" not in cv for cv in body["results"])
    page = auth_client.get(f"{URL}?page_size=1").json()
    assert [cv["id"] for cv in page["results"]] == [new.id]
    assert page["next"]


def test_the_owner_deletes_a_cv_and_interviews_that_used_it_stay(auth_client, user):
    cv = cv_create(owner=user, filename="cv.txt", data=b"Python developer")
    interview = InterviewFactory(owner=user, cv=cv)
    response = auth_client.delete(f"{URL}{cv.id}/")
    assert response.status_code == 204
    assert not CurriculumVitae.objects.filter(pk=cv.id).exists()
    assert Interview.objects.get(pk=interview.pk).cv_id is None


def test_someone_elses_cv_is_404_to_delete_and_stays(client_for, user, other_user):
    cv = cv_create(owner=user, filename="cv.txt", data=b"Python developer")
    assert_error(client_for(other_user).delete(f"{URL}{cv.id}/"), 404, "not_found")
    assert_error(client_for(other_user).delete(f"{URL}{cv.id + 1000}/"), 404, "not_found")
    assert CurriculumVitae.objects.filter(pk=cv.id).exists()
    assert client_for(other_user).get(URL).json()["results"] == []


def test_staff_list_cvs_read_only_without_their_text_and_may_delete_them(client, user):
    cv = cv_create(owner=user, filename="jane.txt", data=b"Python developer, secret phrase zebra-42")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/interviews/curriculumvitae/")
    assert listing.status_code == 200
    assert "jane.txt" in listing.content.decode()
    page = client.get(f"/admin/interviews/curriculumvitae/{cv.id}/change/")
    assert page.status_code == 200
    assert "zebra-42" not in page.content.decode()
    assert 'name="filename"' not in page.content.decode()  # no form field: read-only
    assert client.get("/admin/interviews/curriculumvitae/add/").status_code == 403
    response = client.post(f"/admin/interviews/curriculumvitae/{cv.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CurriculumVitae.objects.filter(pk=cv.id).exists()


# --- Schema --------------------------------------------------------------------------------------


def test_the_schema_documents_the_multipart_upload_and_its_answers(api_client):
    schema = json.loads(api_client.get("/api/schema/?format=json").content)
    post = schema["paths"]["/api/cvs/"]["post"]
    upload_body = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    upload_schema = schema["components"]["schemas"][upload_body["$ref"].rsplit("/", 1)[-1]]
    assert upload_schema["properties"]["file"] == {**upload_schema["properties"]["file"], "format": "binary"}
    assert upload_schema["required"] == ["file"]
    created = post["responses"]["201"]["content"]["application/json"]["schema"]
    cv_schema = schema["components"]["schemas"][created["$ref"].rsplit("/", 1)[-1]]
    assert {"id", "filename", "size", "created_at", "summary"} <= set(cv_schema["required"])
    assert {"400", "413"} <= set(post["responses"])
    page = schema["paths"]["/api/cvs/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page_schema = schema["components"]["schemas"][page["$ref"].rsplit("/", 1)[-1]]
    assert page_schema["properties"]["results"]["items"] == created
    assert "204" in schema["paths"]["/api/cvs/{cv_id}/"]["delete"]["responses"]


# --- Summary -------------------------------------------------------------------------------------


def test_skills_are_whole_words_in_their_display_names():
    text = "Go is good; going on. JavaScript, not Java alone? C++ and C# but not C or R. postgres, K8S, react.js"
    assert cv_summarize(text=text)["skills"] == [
        "Go",
        "JavaScript",
        "Java",
        "C++",
        "C#",
        "PostgreSQL",
        "Kubernetes",
        "React",
    ]


def test_words_that_are_also_plain_english_count_only_as_written():
    text = "I go to the spring fair, swift and with a spark. Later: Swift, Spring Boot, Spark."
    assert cv_summarize(text=text)["skills"] == ["Swift", "Spring Boot", "Spark"]


def test_korean_spellings_map_to_the_same_names_with_their_particles():
    text = "파이썬을 주로 쓰고 리액트로 화면을, 쿠버네티스에서 배포, 스프링과 텐서플로. 스프링클러는 아님"
    assert cv_summarize(text=text)["skills"] == ["Python", "React", "Kubernetes", "Spring", "TensorFlow"]
    assert cv_summarize(text="Python을 활용한 Django기반 서비스")["skills"] == ["Python", "Django"]


def test_skills_keep_the_order_of_first_appearance_and_stop_at_fifteen():
    names = list(SKILLS)[40:60]
    skills = cv_summarize(text=", ".join(names) + ", " + names[0])["skills"]
    assert skills == names[:15]


def test_every_spelling_is_found_alone_and_names_its_skill():
    assert len(SKILLS) >= 150
    for name, aliases in SKILLS.items():
        for spelling in (name, *aliases):
            assert cv_summarize(text=f"Stack: {spelling}.")["skills"] == [name], spelling


def test_projects_come_from_project_sections_and_bullets_with_verbs():
    text = "\n".join(
        [
            "Summary",
            "I have developed web apps for years.",  # a verb, but neither a bullet nor under a heading
            "PROJECTS:",
            "Realtime chat for 10k users",
            "• Implemented search over 5M documents",
            "Skills",
            "Python, Docker",  # after another heading: not a project
            "- Designed the billing pipeline",  # a bullet with a verb, anywhere
            "- Fluent in English",  # a bullet without one
        ]
    )
    assert cv_summarize(text=text)["projects"] == [
        "Realtime chat for 10k users",
        "Implemented search over 5M documents",
        "Designed the billing pipeline",
    ]


def test_projects_are_at_most_five_short_lines_those_with_verbs_first():
    lines = ["경력", *(f"Company {n} backend team" for n in range(4)), *(f"- Built system {n}" for n in range(4))]
    lines.append("- Developed " + "a very long description " * 10)
    projects = cv_summarize(text="\n".join(lines))["projects"]
    assert len(projects) == 5
    assert projects[:4] == [f"Built system {n}" for n in range(4)]
    assert projects[4].startswith("Developed a very long description")
    assert projects[4].endswith("…")
    assert len(projects[4]) <= 120


def test_a_summary_of_nothing_is_empty():
    assert cv_summarize(text="") == {"skills": [], "projects": []}
