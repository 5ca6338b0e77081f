"""The reports page for people (/laporan/)."""

from django.http import Http404


def home(request):
    raise Http404


def download(request, report, fmt):
    raise Http404
