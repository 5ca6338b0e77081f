"""Admin for running a class, split by concern: sessions and their attendance sheets
(``sessions``), the class page with assessments, closing and naik kelas (``classpage``),
coaching and snapshots (``coaching``), export records and new exporters (``exports``).

Every write goes through ``cohorts.services.classes`` or ``cohorts.services.exports``; a
refusal comes back as a message on the same page and nothing is changed.
"""

from cohorts.admin.running.coaching import (
    CoachingVisitAdmin,
    CoachingVisitInline,
    EnterpriseSnapshotAdmin,
)
from cohorts.admin.running.common import local_time
from cohorts.admin.running.exports import ExportRecordAdmin, GraduationAdmin
from cohorts.admin.running.sessions import AttendanceAdmin, SessionAdmin

__all__ = [
    "AttendanceAdmin",
    "CoachingVisitAdmin",
    "CoachingVisitInline",
    "EnterpriseSnapshotAdmin",
    "ExportRecordAdmin",
    "GraduationAdmin",
    "SessionAdmin",
    "local_time",
]
