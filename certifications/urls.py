from django.urls import path

from certifications import views

app_name = "certifications"

urlpatterns = [
    path("dokumen/<int:document_id>/", views.document_file, name="document"),
]
