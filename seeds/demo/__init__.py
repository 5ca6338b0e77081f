"""The Lampung demo: offices, funders, programmes, classes, certification and exports.

``scenario`` tells the story and builds it through the services; ``people``, ``classes``,
``certification`` and ``exports`` hold the steps; ``removal`` takes the demo away again.
Names come from Faker (id_ID) with a fixed seed, so a demo built on the same day is the
same demo.
"""

from seeds.demo.certification import CASE_PATHS
from seeds.demo.common import (
    ADMIN_EMAIL,
    CLASS_SIZE,
    DEMO_EMAILS,
    DEMO_PASSWORD,
    DEMO_SEED,
    JATENG_OFFICE,
    JATENG_PROGRAM,
    JATENG_STAFF_EMAIL,
    LAMPUNG_OFFICE,
    LAMPUNG_PROGRAM,
    LAMPUNG_STAFF_EMAIL,
    LEVEL_NAMES,
    LPEI_ANALYST_EMAIL,
    MARKETPLACE_ANALYST_EMAIL,
    NATIONAL_VIEWER_EMAIL,
    OWNER_EMAIL,
    RATE_SOURCE,
    USD_RATE,
    WIB,
    new_demo,
)
from seeds.demo.removal import demo_delete, demo_exists
from seeds.demo.scenario import DemoResult, build_demo, model_counts

__all__ = [
    "ADMIN_EMAIL",
    "CASE_PATHS",
    "CLASS_SIZE",
    "DEMO_EMAILS",
    "DEMO_PASSWORD",
    "DEMO_SEED",
    "JATENG_OFFICE",
    "JATENG_PROGRAM",
    "JATENG_STAFF_EMAIL",
    "LAMPUNG_OFFICE",
    "LAMPUNG_PROGRAM",
    "LAMPUNG_STAFF_EMAIL",
    "LEVEL_NAMES",
    "LPEI_ANALYST_EMAIL",
    "MARKETPLACE_ANALYST_EMAIL",
    "NATIONAL_VIEWER_EMAIL",
    "OWNER_EMAIL",
    "RATE_SOURCE",
    "USD_RATE",
    "WIB",
    "DemoResult",
    "build_demo",
    "demo_delete",
    "demo_exists",
    "model_counts",
    "new_demo",
]
