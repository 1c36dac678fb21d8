from django.apps import AppConfig


class SpeechConfig(AppConfig):
    name = "speech"

    def ready(self) -> None:
        from speech import checks  # noqa: F401 - registers the startup checks (Django's documented place)
