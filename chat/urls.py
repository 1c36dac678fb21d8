"""The interviewer's endpoints under /api/interviews/ (the list shares "" with the start)."""

from django.urls import path

from chat import apis

urlpatterns = [
    path("", apis.InterviewListStartApi.as_view(), name="interview-list"),
    path("<int:interview_id>/answers/", apis.InterviewAnswerApi.as_view(), name="interview-answers"),
    path("<int:interview_id>/retry/", apis.InterviewRetryApi.as_view(), name="interview-retry"),
    path("<int:interview_id>/finish/", apis.InterviewFinishApi.as_view(), name="interview-finish"),
]
