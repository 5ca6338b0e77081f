"""What the certifications app holds about people: the documents they uploaded, the steps
they took, and identity documents of an enterprise's owner."""

from __future__ import annotations

from accounts.models import Enterprise, User
from accounts.privacy import PersonalDataPart
from certifications.models import CaseDocument, CaseEvent


def export(user: User) -> dict:
    return {
        "documents_uploaded": [
            {
                "title": row["title"],
                "file_name": row["original_name"],
                "scheme": row["case__scheme__name_id"],
                "uploaded_at": row["uploaded_at"].isoformat(),
            }
            for row in CaseDocument.objects.filter(uploaded_by=user).values(
                "title", "original_name", "case__scheme__name_id", "uploaded_at"
            )
        ],
        "request_steps": [
            {"event": row["kind"], "at": row["created_at"].isoformat(), "note": row["note"]}
            for row in CaseEvent.objects.filter(actor=user).values("kind", "created_at", "note")
        ],
    }


def scrub(enterprise: Enterprise, owner_ids: frozenset[int]) -> int:
    """Identity documents (marked sensitive) of the enterprise's requests: the files are
    deleted, the rows stay to show a document was once provided."""
    changed = 0
    for document in CaseDocument.objects.filter(case__enterprise=enterprise, sensitive=True):
        if document.file:
            document.file.delete(save=False)
        document.original_name = ""
        document.file = ""
        document.save(update_fields=["file", "original_name"])
        changed += 1
    return changed


PART = PersonalDataPart(key="certifications", export=export, scrub=scrub)
