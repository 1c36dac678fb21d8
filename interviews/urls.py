from django.urls import path

from interviews import apis

urlpatterns = [
    path("", apis.InterviewListStartApi.as_view(), name="interview-list"),
    path("<int:interview_id>/", apis.InterviewDetailApi.as_view(), name="interview-detail"),
    path("<int:interview_id>/messages/", apis.InterviewMessagesApi.as_view(), name="interview-messages"),
    path("<int:interview_id>/answers/", apis.InterviewAnswerApi.as_view(), name="interview-answers"),
    path("<int:interview_id>/retry/", apis.InterviewRetryApi.as_view(), name="interview-retry"),
    path("<int:interview_id>/finish/", apis.InterviewFinishApi.as_view(), name="interview-finish"),
]
