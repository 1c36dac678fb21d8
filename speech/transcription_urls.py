from django.urls import path

from speech.apis import TranscriptionApi

urlpatterns = [path("", TranscriptionApi.as_view(), name="transcription-create")]
