from django.urls import path

from reports import views

urlpatterns = [
    path("kinderen/<int:pk>/overzicht/", views.child_summary_page, name="child_summary"),
    path("kinderen/<int:pk>/overzicht.pdf", views.child_summary_pdf, name="child_summary_pdf"),
]
