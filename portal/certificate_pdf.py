"""The training certificate as a one-page A4 PDF with a QR code of its verification address."""

from __future__ import annotations

import io

import segno
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas


def _qr(pdf: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw the QR code from its module matrix (no image library needed)."""
    matrix = segno.make(text, error="m").matrix
    cell = size / len(matrix)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                pdf.rect(x + col * cell, y + size - (row + 1) * cell, cell, cell, stroke=0, fill=1)


def render(*, certificate, verify_url: str) -> bytes:
    enrollment = certificate.enrollment
    cohort = enrollment.cohort
    program = enrollment.program
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Training certificate"))
    pdf.setFillColorRGB(0.043, 0.431, 0.310)
    pdf.rect(0, height - 18 * mm, width, 18 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, height - 12 * mm, "NaikKelas")
    pdf.setFillColorRGB(0.11, 0.14, 0.15)
    pdf.setFont("Helvetica-Bold", 28)
    pdf.drawCentredString(width / 2, height - 45 * mm, _("Training certificate"))
    pdf.setFont("Helvetica", 13)
    pdf.drawCentredString(width / 2, height - 60 * mm, _("is given to"))
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawCentredString(width / 2, height - 75 * mm, enrollment.enterprise.name)
    pdf.setFont("Helvetica", 13)
    end_day = enrollment.ended_at.date() if enrollment.ended_at else program.end_date
    end = formats.date_format(end_day, "DATE_FORMAT")
    lines = [
        _("for completing %(cohort)s (%(level)s)")
        % {"cohort": cohort.name, "level": cohort.get_level_display()},
        _("in the programme %(program)s") % {"program": program.name},
        f"{formats.date_format(program.start_date, 'DATE_FORMAT')} – {end}",
        program.office.name,
    ]
    y = height - 90 * mm
    for line in lines:
        pdf.drawCentredString(width / 2, y, line)
        y -= 8 * mm
    pdf.setFillColorRGB(0, 0, 0)
    _qr(pdf, verify_url, width - 55 * mm, 15 * mm, 35 * mm)
    pdf.setFont("Helvetica", 9)
    pdf.drawString(20 * mm, 20 * mm, _("Check that this certificate is genuine:"))
    pdf.drawString(20 * mm, 15 * mm, verify_url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
