from django.test import RequestFactory

from speech.selectors import clip_url

KEY = "ab" * 32


def test_without_a_request_the_clip_url_is_a_path():
    assert clip_url(key=KEY, request=None) == f"/api/audio/{KEY}.mp3"


def test_with_a_request_the_clip_url_is_absolute():
    request = RequestFactory().get("/api/interviews/")
    assert clip_url(key=KEY, request=request) == f"http://testserver/api/audio/{KEY}.mp3"


def test_the_clip_url_is_https_behind_a_tls_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["interviews.example.com"]
    request = RequestFactory().get(
        "/api/interviews/", HTTP_HOST="interviews.example.com", HTTP_X_FORWARDED_PROTO="https"
    )
    assert clip_url(key=KEY, request=request) == f"https://interviews.example.com/api/audio/{KEY}.mp3"
