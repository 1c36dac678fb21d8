"""Root URLs. Apps are named by dotted path, never imported: config is the bottom layer and
imports no app above it (the import contracts in pyproject.toml check this)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import HealthApi, webapp

urlpatterns = [
    path("", webapp, name="webapp"),
    path("admin/", admin.site.urls),
    path("api/health/", HealthApi.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/auth/", include("accounts.urls")),
    # /api/interviews/: chat owns the list-and-start URL and the turns; interviews the reads and edits.
    path("api/interviews/", include("chat.urls")),
    path("api/interviews/", include("interviews.urls")),
    path("api/audio/", include("speech.urls")),
    path("api/transcriptions/", include("speech.transcription_urls")),
    path("api/cvs/", include("interviews.cv_urls")),
    path("api/topics/", include("interviews.topic_urls")),
    path("api/progress/", include("interviews.progress_urls")),
    path("api/feed/", include("interviews.feed_urls")),
    path("feed.atom", include("interviews.atom_urls")),
    # The original Mock-Interviewer frontend's endpoints (README, "Compatibility").
    path("api/user/", include("accounts.compat_urls")),
    path("api/chat/", include("chat.compat_urls")),
]

handler400 = "config.views.json_bad_request"
handler404 = "config.views.json_not_found"
handler500 = "config.views.json_server_error"
