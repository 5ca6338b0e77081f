from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Province, Regency, Sector
from certifications.models import Scheme, SchemeDocument, SchemeMilestone

pytestmark = pytest.mark.django_db


def counts():
    return [
        model.objects.count()
        for model in (Province, Regency, Sector, Scheme, SchemeMilestone, SchemeDocument)
    ]


def test_seed_reference_loads_provinces_and_the_regencies_of_lampung_and_central_java():
    out = StringIO()
    call_command("seed_reference", stdout=out)
    assert Province.objects.count() == 38
    lampung = Regency.objects.filter(province__code_kemendagri="18")
    jateng = Regency.objects.filter(province__code_kemendagri="33")
    assert lampung.count() == 15
    assert lampung.filter(kind=Regency.Kind.REGENCY).count() == 13
    assert lampung.filter(kind=Regency.Kind.CITY).count() == 2
    assert jateng.count() == 35
    assert jateng.filter(kind=Regency.Kind.REGENCY).count() == 29
    assert jateng.filter(kind=Regency.Kind.CITY).count() == 6
    assert "38" in out.getvalue() and "50" in out.getvalue()


def test_seed_reference_twice_changes_nothing_and_restores_edited_rows():
    call_command("seed_reference", stdout=StringIO())
    first = counts()
    Province.objects.filter(code_kemendagri="18").update(name_en="Changed")
    call_command("seed_reference", stdout=StringIO())
    assert counts() == first
    assert Province.objects.get(code_kemendagri="18").name_en == "Lampung"


def test_bps_and_kemendagri_codes_differ_where_they_should():
    call_command("seed_reference", stdout=StringIO())
    codes = {p.name_id: (p.code_kemendagri, p.code_bps) for p in Province.objects.all()}
    assert codes["Papua"] == ("91", "94")
    assert codes["Papua Barat"] == ("92", "91")
    assert codes["Papua Selatan"] == ("93", "95")
    assert codes["Papua Tengah"] == ("94", "96")
    assert codes["Papua Pegunungan"] == ("95", "97")
    assert codes["Papua Barat Daya"] == ("96", "92")
    assert codes["Lampung"] == ("18", "18")
    assert sum(1 for kemendagri, bps in codes.values() if kemendagri != bps) == 6

    regency = Regency.objects.get
    assert regency(code_kemendagri="18.01").name_id == "Kabupaten Lampung Selatan"
    assert regency(code_kemendagri="18.01").code_bps == "1803"
    assert regency(code_bps="1801").name_id == "Kabupaten Lampung Barat"
    assert regency(code_kemendagri="18.71").code_bps == "1871"
    assert regency(code_kemendagri="33.01").code_bps == "3301"
    assert regency(code_kemendagri="33.74").name_en == "Semarang City"


def test_schemes_carry_validity_prerequisites_milestones_and_documents():
    call_command("seed_reference", stdout=StringIO())
    scheme = {s.code: s for s in Scheme.objects.prefetch_related("prerequisites")}
    assert [p.code for p in scheme["sppt-sni-5"].prerequisites.all()] == ["merek"]
    assert [p.code for p in scheme["spp-irt"].prerequisites.all()] == ["pkp"]
    assert scheme["halal-reguler"].validity_from == Scheme.ValidityFrom.NONE
    assert scheme["halal-reguler"].validity_months is None
    assert (scheme["merek"].validity_from, scheme["merek"].validity_months) == ("filing", 120)
    assert scheme["sppt-sni-5"].surveillance_months == 12
    assert {"iso-9001", "iso-22000", "haccp", "bpom-md", "health-certificate"} <= set(scheme)
    for item in scheme.values():
        orders = list(item.milestones.values_list("order", flat=True))
        assert orders == list(range(1, len(orders) + 1)) and orders
        assert item.documents.filter(required=True).exists()
        assert item.name_id and item.name_en and item.issuing_body
