from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.compat import CompatLoginApi, CompatLogoutApi, CompatRegisterApi
from chat.compat import CompatChatApi
from config.views import HealthApi

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health/", HealthApi.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/auth/", include("accounts.urls")),
    path("api/interviews/", include("interviews.urls")),
    path("api/audio/", include("speech.urls")),
    # The original Mock-Interviewer frontend's endpoints (API.md, last section).
    path("api/user/register/", CompatRegisterApi.as_view(), name="compat-register"),
    path("api/user/login/", CompatLoginApi.as_view(), name="compat-login"),
    path("api/user/logout/", CompatLogoutApi.as_view(), name="compat-logout"),
    path("api/chat/gpt/", CompatChatApi.as_view(), name="compat-chat"),
]

handler400 = "config.views.json_bad_request"
handler404 = "config.views.json_not_found"
handler500 = "config.views.json_server_error"
