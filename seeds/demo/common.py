"""What the parts of the demo share: names, constants, the clock of the story, small helpers."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from faker import Faker

from accounts.models import Funder, Sector, TradeOffice, User
from certifications.models import Scheme
from cohorts.models import Level

DEMO_PASSWORD = "naikkelas-demo"
DEMO_SEED = 1808  # Lampung's Kemendagri code: any fixed number would do.

LAMPUNG_OFFICE = "Dinas Perindustrian dan Perdagangan Provinsi Lampung"
JATENG_OFFICE = "Dinas Perindustrian dan Perdagangan Provinsi Jawa Tengah"
LPEI = "Lembaga Pembiayaan Ekspor Indonesia"
MARKETPLACE = "Pasar Nusantara Digital"
LAMPUNG_PROGRAM = "Forum Ekspor IKM Lampung"
JATENG_PROGRAM = "Kampus Ekspor UMKM Jawa Tengah"
DEMO_OFFICES = (LAMPUNG_OFFICE, JATENG_OFFICE)
DEMO_FUNDERS = (LPEI, MARKETPLACE)

ADMIN_EMAIL = "admin@naikkelas.test"
LAMPUNG_STAFF_EMAIL = "staf@lampung.naikkelas.test"
JATENG_STAFF_EMAIL = "staf@jateng.naikkelas.test"
OWNER_EMAIL = "pemilik@ikm.naikkelas.test"
LPEI_ANALYST_EMAIL = "analis@lpei.naikkelas.test"
MARKETPLACE_ANALYST_EMAIL = "analis@pasar.naikkelas.test"
NATIONAL_VIEWER_EMAIL = "pusat@naikkelas.test"
DEMO_EMAILS = (
    ADMIN_EMAIL,
    LAMPUNG_STAFF_EMAIL,
    JATENG_STAFF_EMAIL,
    OWNER_EMAIL,
    LPEI_ANALYST_EMAIL,
    MARKETPLACE_ANALYST_EMAIL,
    NATIONAL_VIEWER_EMAIL,
)

CLASS_SIZE = 20
LEVEL_NAMES = {Level.PEMULA: "Pemula", Level.MENENGAH: "Menengah", Level.MAHIR: "Mahir"}
USD_RATE = Decimal("16250")
EUR_RATE = Decimal("17600")
RATE_SOURCE = "Bank Indonesia (JISDOR / kurs tengah)"
WIB = ZoneInfo("Asia/Jakarta")


@dataclass
class Demo:
    """What the parts of the demo share while it is being built."""

    today: dt.date
    now: dt.datetime
    rng: random.Random
    fake: Faker
    users: dict[str, User] = field(default_factory=dict)
    offices: dict[str, TradeOffice] = field(default_factory=dict)
    funders: dict[str, Funder] = field(default_factory=dict)
    sectors: dict[str, Sector] = field(default_factory=dict)
    schemes: dict[str, Scheme] = field(default_factory=dict)
    nib_counter: int = 0

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def at(self, day: dt.date, hour: int = 9, tz: ZoneInfo = WIB) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)


def new_demo(today: dt.date) -> Demo:
    fake = Faker("id_ID")
    fake.seed_instance(DEMO_SEED)
    now = timezone.now()
    if timezone.localdate(now) != today:
        now = dt.datetime.combine(today, dt.time(12), tzinfo=WIB)
    return Demo(today=today, now=now, rng=random.Random(DEMO_SEED), fake=fake)


def settle(queryset: QuerySet, **moments) -> int:
    """Put the story's days on rows a service stamped with the moment it ran.

    The services record "now" (applied, enrolled, ended, closed, decided); the demo plays
    months of a programme in a few seconds, so once a step is done its moments are moved back
    to the days the story tells. Only timestamps move, never a status; the history rows keep
    the moment of the build.
    """
    return queryset.update(**moments)


def make_user(email: str, full_name: str, **flags) -> User:
    user, _created = User.objects.update_or_create(
        email=email,
        defaults={"full_name": full_name, "is_active": True, "is_staff": False, **flags},
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user
