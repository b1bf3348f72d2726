from django.urls import path

from reports import overview_views

urlpatterns = [
    path("groepen/<int:pk>/overzicht/", overview_views.group_overview_page, name="group_overview"),
    path("groepen/<int:pk>/overzicht.csv", overview_views.group_overview_csv, name="group_overview_csv"),
]
