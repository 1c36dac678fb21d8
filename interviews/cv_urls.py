"""The caller's CVs: upload and list at "", delete at "<id>/"."""

from django.urls import path

from interviews import cv_apis

urlpatterns = [
    path("", cv_apis.CvListCreateApi.as_view(), name="cv-list"),
    path("<int:cv_id>/", cv_apis.CvDeleteApi.as_view(), name="cv-detail"),
]
