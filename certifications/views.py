"""The one way into a request document's file: a permission check, then the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from certifications import selectors
from certifications.models import CaseDocument
from certifications.services import ALLOWED_DOCUMENT_TYPES


def download_name(document: CaseDocument) -> str:
    """The uploader's file name, safe for a header: no folders, no control characters, and
    the extension of what the file is rather than of what it was called."""
    name = (document.original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    stem = (name.rsplit(".", 1)[0] if "." in name else name).strip(" .")
    stem = stem or "dokumen"
    extension = ALLOWED_DOCUMENT_TYPES.get(document.content_type, "bin")
    return f"{stem[:150]}.{extension}"


@require_safe
@login_required
def document_file(request, document_id: int):
    """The file of a request document, for the enterprise's members, the assisting office's
    staff and platform admins; anyone else is told it does not exist."""
    document = get_object_or_404(selectors.case_documents_openable_by(request.user), pk=document_id)
    if not document.file:
        raise Http404  # removed, as an anonymised owner's identity documents are
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=document.content_type or "application/octet-stream",
        filename=download_name(document),
    )
    # The stored type is the one read from the content: the browser must not guess another.
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response
