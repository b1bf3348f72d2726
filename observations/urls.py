from django.urls import path

from observations import views

urlpatterns = [
    path("kinderen/<int:child_pk>/waarnemingen/nieuw/", views.observation_new, name="observation_new"),
    path("waarnemingen/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("waarnemingen/<int:pk>/wijzigen/", views.observation_edit, name="observation_edit"),
    path("waarnemingen/<int:pk>/verwijderen/", views.observation_remove, name="observation_remove"),
    path("mijn-mentorkinderen/", views.mentor_children, name="mentor_children"),
]
