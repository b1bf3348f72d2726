from django.urls import path

from children import views

urlpatterns = [
    path("", views.home, name="home"),
    path("locaties/<int:pk>/", views.location_detail, name="location_detail"),
    path("groepen/<int:pk>/", views.group_detail, name="group_detail"),
    path("kinderen/<int:pk>/", views.child_detail, name="child_detail"),
]
