"""Bulk work on a class: a message to every participant, moving participants between classes,
the paper attendance sheet."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from accounts.models import User
from cohorts.models import Cohort, Enrollment, Session
from cohorts.permissions import require_program_staff
from cohorts.services.seats import enrollment_move_class
from notifications import services as notifications
from office.spreadsheets import neutralise

CLASS_MESSAGE = "class-message"


def class_participants(cohort: Cohort):
    """The enrolled enterprises' members, one row per person (a member of two counts once)."""
    return (
        User.objects.filter(
            is_active=True,
            enterprise_memberships__enterprise__enrollments__cohort=cohort,
            enterprise_memberships__enterprise__enrollments__status=Enrollment.Status.ENROLLED,
        )
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def class_message(*, cohort: Cohort, actor: User, title: str, body: str, token: str) -> int:
    """Put a message to every participant of a class in the reminders outbox, one row each.

    ``token`` names this message: sending the same form twice writes no second row."""
    require_program_staff(actor, cohort.stage.program)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationError(_("Write a subject and a message."))
    count = 0
    for user in class_participants(cohort):
        notifications.reminder_request(
            kind=CLASS_MESSAGE,
            recipient=user,
            subject_object=cohort,
            unique_key=f"{CLASS_MESSAGE}:{cohort.pk}:{token}:{user.pk}",
            title=title,
            body=body,
        )
        count += 1
    return count


@transaction.atomic
def enrollments_move(
    *, enrollments: Iterable[Enrollment], cohort: Cohort, actor: User
) -> list[Enrollment]:
    """Move several participants to ``cohort`` through the seat service: all or none."""
    moved, refusals = [], []
    for enrollment in enrollments:
        try:
            with transaction.atomic():
                moved.append(
                    enrollment_move_class(enrollment=enrollment, cohort=cohort, actor=actor)
                )
        except ValidationError as error:
            refusals.append(f"{enrollment.enterprise.name}: {' '.join(error.messages)}")
    if refusals:
        raise ValidationError(refusals)
    return moved


def attendance_sheet(*, cohort: Cohort) -> bytes:
    """The paper sign-in sheet of a class: one row per enrolled enterprise, one column per
    session (its date) to sign, laid out to print on A4 landscape."""
    sessions = list(
        Session.objects.filter(cohort=cohort, cancelled_at__isnull=True).order_by("starts_at")
    )
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.ENROLLED)
        .select_related("enterprise")
        .order_by("enterprise__name")
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Attendance")[:31]
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:3"
    sheet.append([neutralise(_("Attendance list: %(class)s") % {"class": cohort.name})])
    sheet.append([neutralise(f"{cohort.stage.program.name} — {cohort.venue}")])
    zone = timezone.get_current_timezone()
    header = ["No.", _("Enterprise"), _("Attended by")]
    header += [s.starts_at.astimezone(zone).strftime("%d/%m/%Y") for s in sessions]
    sheet.append(header)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet["A1"].font = Font(bold=True, size=13)
    for number, enrollment in enumerate(enrollments, start=1):
        sheet.append([number, neutralise(enrollment.enterprise.name), ""] + [""] * len(sessions))
        sheet.row_dimensions[sheet.max_row].height = 30
        for cell in sheet[sheet.max_row]:
            cell.border = border
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 34
    sheet.column_dimensions["C"].width = 24
    for index in range(len(sessions)):
        sheet.column_dimensions[get_column_letter(4 + index)].width = 14
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
