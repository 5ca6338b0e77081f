"""Offices, funders, staff and the other personas, and the enterprises (IKM) of the demo."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import (
    Enterprise,
    EnterpriseMembership,
    Funder,
    FunderMembership,
    KbliCode,
    OfficeMembership,
    Product,
    Province,
    Regency,
    TradeOffice,
    User,
)
from accounts.services import enterprise_create, enterprise_record_consent
from seeds import catalogue
from seeds.demo.common import (
    ADMIN_EMAIL,
    JATENG_OFFICE,
    JATENG_STAFF_EMAIL,
    LAMPUNG_OFFICE,
    LAMPUNG_STAFF_EMAIL,
    LPEI,
    LPEI_ANALYST_EMAIL,
    MARKETPLACE,
    MARKETPLACE_ANALYST_EMAIL,
    NATIONAL_VIEWER_EMAIL,
    OWNER_EMAIL,
    Demo,
    make_user,
    settle,
)


def make_organisations(demo: Demo) -> None:
    lampung = Province.objects.get(code_kemendagri="18")
    jateng = Province.objects.get(code_kemendagri="33")
    demo.offices["lampung"] = TradeOffice.objects.create(
        name=LAMPUNG_OFFICE,
        short_name="Disperindag Lampung",
        kind=TradeOffice.Kind.PROVINCIAL,
        province=lampung,
        regency=Regency.objects.get(code_kemendagri="18.71"),
        address="Jl. Cut Mutia No. 28, Gulak Galik, Teluk Betung Utara, Bandar Lampung",
        email="disperindag@lampung.naikkelas.test",
        phone="+62721481207",
        ikm_population=95_000,
        ikm_population_basis=(
            "IKM in the province registered with the office (SIINas and regency records), "
            "demo figure"
        ),
        exporter_target_percent=Decimal("30"),
    )
    demo.offices["jateng"] = TradeOffice.objects.create(
        name=JATENG_OFFICE,
        short_name="Disperindag Jateng",
        kind=TradeOffice.Kind.PROVINCIAL,
        province=jateng,
        regency=Regency.objects.get(code_kemendagri="33.74"),
        address="Jl. Pahlawan No. 4, Semarang",
        email="disperindag@jateng.naikkelas.test",
        phone="+62248311705",
        ikm_population=150_000,
        ikm_population_basis="IKM registered in the province, demo figure",
        exporter_target_percent=Decimal("10"),
    )
    demo.funders["lpei"] = Funder.objects.create(
        name=LPEI, short_name="LPEI", kind=Funder.Kind.FINANCING_AGENCY
    )
    demo.funders["pasar"] = Funder.objects.create(
        name=MARKETPLACE, short_name="Pasar Nusantara", kind=Funder.Kind.MARKETPLACE
    )


def make_people(demo: Demo) -> None:
    users = demo.users
    users["admin"] = make_user(ADMIN_EMAIL, "Admin NaikKelas", is_staff=True, is_superuser=True)
    users["lampung"] = make_user(LAMPUNG_STAFF_EMAIL, "Rahmat Hidayat", is_staff=True)
    users["jateng"] = make_user(JATENG_STAFF_EMAIL, "Sri Wahyuni", is_staff=True)
    users["lpei"] = make_user(LPEI_ANALYST_EMAIL, "Andi Pratama")
    users["pasar"] = make_user(MARKETPLACE_ANALYST_EMAIL, "Maya Sari")
    users["pusat"] = make_user(
        NATIONAL_VIEWER_EMAIL, "Bambang Sutrisno", is_staff=True, is_national_viewer=True
    )
    OfficeMembership.objects.create(
        user=users["lampung"], office=demo.offices["lampung"], role=OfficeMembership.Role.OFFICER
    )
    OfficeMembership.objects.create(
        user=users["jateng"], office=demo.offices["jateng"], role=OfficeMembership.Role.OFFICER
    )
    FunderMembership.objects.create(user=users["lpei"], funder=demo.funders["lpei"])
    FunderMembership.objects.create(user=users["pasar"], funder=demo.funders["pasar"])


def next_nib(demo: Demo) -> str:
    demo.nib_counter += 1
    return f"9120{demo.nib_counter:09d}"


def make_enterprise(
    demo: Demo,
    *,
    office: TradeOffice,
    regencies: list[Regency],
    sector_code: str,
    export_status: str = Enterprise.ExportStatus.NONE,
    size: str = "micro",
) -> Enterprise:
    rng, fake = demo.rng, demo.fake
    female = rng.random() < 0.45
    owner = fake.name_female() if female else fake.name_male()
    regency = rng.choice(regencies)
    place = regency.name_id.removeprefix("Kabupaten ").removeprefix("Kota ")
    profile = catalogue.SECTOR_PROFILES[sector_code]
    name = rng.choice(profile.name_patterns).format(place=place, owner=owner.split()[0])
    revenue = {
        "micro": rng.randrange(300, 1_900, 25) * 1_000_000,
        "small": rng.randrange(2_100, 14_000, 100) * 1_000_000,
        "medium": rng.randrange(15_500, 45_000, 500) * 1_000_000,
    }[size]
    enterprise = enterprise_create(
        actor=demo.users["lampung" if office.name == LAMPUNG_OFFICE else "jateng"],
        name=name,
        nib="" if rng.random() < 0.1 else next_nib(demo),
        owner_name=owner,
        owner_gender=Enterprise.Gender.FEMALE if female else Enterprise.Gender.MALE,
        owner_birth_year=rng.randint(1965, 1997),
        women_owned=female,
        women_led=female or rng.random() < 0.1,
        province=office.province,
        regency=regency,
        address=f"{fake.street_address()}, {regency.name_id}",
        sector=demo.sectors[sector_code],
        annual_revenue=revenue,
        employees_women=rng.randint(1, 12),
        employees_men=rng.randint(0, 10),
        export_status=export_status,
        registered_by=office,
    )
    KbliCode.objects.create(enterprise=enterprise, code=profile.kbli)
    for kind in rng.sample(profile.products, k=min(len(profile.products), rng.choice((1, 2, 2)))):
        Product.objects.create(
            enterprise=enterprise,
            name=kind.name,
            hs_code=kind.hs_code,
            unit=kind.unit,
            monthly_capacity=Decimal(rng.randrange(50, 3_000, 50)),
        )
    return enterprise


def make_enterprises(
    demo: Demo, office: TradeOffice, count: int, sectors: tuple[str, ...], **kwargs
) -> list[Enterprise]:
    regencies = list(Regency.objects.filter(province=office.province))
    return [
        make_enterprise(
            demo, office=office, regencies=regencies, sector_code=demo.rng.choice(sectors), **kwargs
        )
        for _ in range(count)
    ]


def make_owner(demo: Demo, enterprise: Enterprise) -> User:
    """The owner persona: a member of the enterprise, who agreed to share its data."""
    owner = make_user(OWNER_EMAIL, enterprise.owner_name, phone="+6281234567801")
    demo.users["owner"] = owner
    EnterpriseMembership.objects.create(
        user=owner, enterprise=enterprise, role=EnterpriseMembership.Role.OWNER
    )
    enterprise_record_consent(enterprise=enterprise, actor=owner)
    # She gave her consent when she first applied, before stage 1.
    settle(
        Enterprise.objects.filter(pk=enterprise.pk), data_sharing_consent_at=demo.at(demo.day(-180))
    )
    return owner
