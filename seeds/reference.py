"""Reference data from the files in ``seeds/data``: regions, sectors, certification schemes.

Every row is written with ``update_or_create`` on its code, so loading twice changes nothing
and a corrected file updates the rows it names. Rows keep their primary keys, so requests that
point at a scheme, a step or a required document keep pointing at them.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from accounts.models import Province, Regency, Sector
from certifications.models import Case, Scheme, SchemeDocument, SchemeMilestone

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class ReferenceSummary:
    provinces: int = 0
    regencies: int = 0
    sectors: int = 0
    schemes: int = 0
    milestones: int = 0
    documents: int = 0


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file in ``seeds/data``; lines starting with ``#`` are its header notes."""
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def read_schemes() -> list[dict]:
    with open(DATA_DIR / "schemes.json", encoding="utf-8") as handle:
        return json.load(handle)["schemes"]


def load_provinces() -> int:
    for row in read_csv("provinces.csv"):
        Province.objects.update_or_create(
            code_kemendagri=row["code_kemendagri"],
            defaults={
                "code_bps": row["code_bps"],
                "name_id": row["name_id"],
                "name_en": row["name_en"],
            },
        )
    return Province.objects.count()


def load_regencies() -> int:
    provinces = {p.code_kemendagri: p for p in Province.objects.all()}
    for row in read_csv("regencies.csv"):
        code = row["code_kemendagri"]
        Regency.objects.update_or_create(
            code_kemendagri=code,
            defaults={
                "province": provinces[code.split(".")[0]],
                "code_bps": row["code_bps"],
                "kind": row["kind"],
                "name_id": row["name_id"],
                "name_en": row["name_en"],
            },
        )
    return Regency.objects.count()


def load_sectors() -> int:
    for row in read_csv("sectors.csv"):
        Sector.objects.update_or_create(
            code=row["code"], defaults={"name_id": row["name_id"], "name_en": row["name_en"]}
        )
    return Sector.objects.count()


def load_schemes() -> tuple[int, int, int]:
    data = read_schemes()
    schemes: dict[str, Scheme] = {}
    for item in data:
        scheme, _ = Scheme.objects.update_or_create(
            code=item["code"],
            defaults={
                "family": item["family"],
                "name_id": item["name_id"],
                "name_en": item["name_en"],
                "issuing_body": item["issuing_body"],
                "validity_months": item["validity_months"],
                "validity_from": item["validity_from"],
                "surveillance_months": item["surveillance_months"],
                "is_active": True,
            },
        )
        schemes[scheme.code] = scheme
        for order, (name_id, name_en) in enumerate(item["milestones"], start=1):
            SchemeMilestone.objects.update_or_create(
                scheme=scheme, order=order, defaults={"name_id": name_id, "name_en": name_en}
            )
        # A step dropped from the file goes, unless a request stands at it.
        standing = Case.objects.filter(current_milestone__scheme=scheme).values("current_milestone")
        scheme.milestones.filter(order__gt=len(item["milestones"])).exclude(
            pk__in=standing
        ).delete()
        for document in item["documents"]:
            SchemeDocument.objects.update_or_create(
                scheme=scheme,
                code=document["code"],
                defaults={
                    "name_id": document["name_id"],
                    "name_en": document["name_en"],
                    "required": document["required"],
                    "sensitive": document["sensitive"],
                },
            )
    for item in data:
        schemes[item["code"]].prerequisites.set([schemes[c] for c in item["prerequisites"]])
    return Scheme.objects.count(), SchemeMilestone.objects.count(), SchemeDocument.objects.count()


@transaction.atomic
def load_reference() -> ReferenceSummary:
    """Load every reference file; returns how many rows each table holds afterwards."""
    summary = ReferenceSummary()
    summary.provinces = load_provinces()
    summary.regencies = load_regencies()
    summary.sectors = load_sectors()
    summary.schemes, summary.milestones, summary.documents = load_schemes()
    return summary
