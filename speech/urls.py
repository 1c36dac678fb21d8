from django.urls import path

from speech.apis import AudioApi

urlpatterns = [path("<str:key>.mp3", AudioApi.as_view(), name="speech-audio")]
