"""Every page and download of the app. The apps below hold the rules; these views combine them."""

from django.urls import path

from pages.views import agreement, conversations, dashboards, entries, exports, overview, privacy, summary, tablet

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("locaties/<int:pk>/", dashboards.location_detail, name="location_detail"),
    path("locaties/<int:pk>/overeenstemming/", agreement.location_agreement_page, name="location_agreement"),
    path("locaties/<int:pk>/duo-observaties/nieuw/", agreement.duo_observation_new, name="duo_observation_new"),
    path("groepen/<int:pk>/", dashboards.group_detail, name="group_detail"),
    path("kinderen/<int:pk>/", dashboards.child_detail, name="child_detail"),
    path("kinderen/<int:child_pk>/waarnemingen/nieuw/", entries.observation_new, name="observation_new"),
    path("waarnemingen/<int:pk>/", entries.observation_detail, name="observation_detail"),
    path("waarnemingen/<int:pk>/wijzigen/", entries.observation_edit, name="observation_edit"),
    path("waarnemingen/<int:pk>/verwijderen/", entries.observation_remove, name="observation_remove"),
    path("mijn-mentorkinderen/", entries.mentor_children, name="mentor_children"),
    path("kinderen/<int:pk>/overzicht/", summary.child_summary_page, name="child_summary"),
    path("kinderen/<int:pk>/overzicht.pdf", summary.child_summary_pdf, name="child_summary_pdf"),
    path("kinderen/<int:pk>/oudergesprek.pdf", summary.child_parent_handout_pdf, name="child_parent_handout_pdf"),
    path("kinderen/<int:child_pk>/gesprekken/nieuw/", conversations.conversation_new, name="conversation_new"),
    path("gesprekken/<int:pk>/", conversations.conversation_detail, name="conversation_detail"),
    path("gesprekken/<int:pk>/wijzigen/", conversations.conversation_edit, name="conversation_edit"),
    path("afspraken/<int:pk>/teruggekeken/", conversations.agreement_looked_back, name="agreement_looked_back"),
    path("groepen/<int:pk>/overzicht/", overview.group_overview_page, name="group_overview"),
    path("groepen/<int:pk>/overzicht.csv", overview.group_overview_csv, name="group_overview_csv"),
    path("groepen/<int:pk>/pdfs/", exports.group_export, name="group_export"),
    path("locaties/<int:pk>/pdfs/", exports.location_export, name="location_export"),
    path("exporten/<uuid:pk>/", exports.export_status, name="export_status"),
    path("exporten/<uuid:pk>/voortgang.json", exports.export_progress, name="export_progress"),
    path("exporten/<uuid:pk>/download/", exports.export_download, name="export_download"),
    path("inzagelog/", privacy.access_log_page, name="access_log"),
    path("inzagelog.csv", privacy.access_log_csv, name="access_log_csv"),
    path("privacy/", privacy.privacy_statement, name="privacy_statement"),
    path("tablet/", tablet.tablet_home, name="tablet_home"),
    path("tablet/koppelen/", tablet.tablet_register, name="tablet_register"),
    path("tablet/<int:pk>/ontkoppelen/", tablet.tablet_revoke, name="tablet_revoke"),
    path("tablet/medewerker/<int:user_pk>/", tablet.tablet_unlock, name="tablet_unlock"),
    path("tablet/vergrendelen/", tablet.tablet_lock, name="tablet_lock"),
    path("mijn-pincode/", tablet.pin_settings, name="pin_settings"),
    path("verbinding/", tablet.connection_check, name="connection_check"),
]
