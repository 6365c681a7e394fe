from django.urls import path

from . import views

app_name = "record"

urlpatterns = [
    path("", views.index, name="index"),
    path("access/", views.access_log, name="access"),
    path("access.csv", views.access_log_csv, name="access-csv"),
    path("export/", views.export_html, name="export"),
    path("export.json", views.export_json, name="export-json"),
    path("export.pdf", views.export_pdf, name="export-pdf"),
    path("schema.json", views.schema, name="schema"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<int:request_id>/disagree/", views.disagree, name="disagree"),
    path("corrections/to-answer/", views.corrections_to_answer, name="corrections-to-answer"),
    path("corrections/<int:request_id>/answer/", views.answer_correction, name="answer-correction"),
    path("close/", views.close_account, name="close"),
    path("audit-report/", views.audit_report, name="audit-report"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("break-glass/<int:access_id>/", views.break_glass_record, name="break-glass-record"),
    path("break-glass/<int:access_id>/close/", views.close_break_glass, name="break-glass-close"),
]
