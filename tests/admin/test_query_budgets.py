"""Admin lists cost the same number of queries for one row as for thirty."""

import pytest

from tests import factories as f

# Budgets as measured for office staff (scoping costs a few queries); one row or thirty. The
# requests' officer filter names the officers found among the requests (one query).
BUDGETS = {"accounts/enterprise": 12, "cohorts/program": 13, "certifications/case": 17}


def _fill(path, n, office, program, staff):
    if path == "accounts/enterprise":
        f.EnterpriseFactory.create_batch(n, registered_by=office, sector=f.SectorFactory())
    elif path == "cohorts/program":
        for program_ in f.ProgramFactory.create_batch(n, office=office):
            f.FundingFactory(program=program_)
            f.StageFactory(program=program_)
    else:
        scheme = f.SchemeFactory()
        milestone = f.SchemeMilestoneFactory(scheme=scheme)
        for enterprise in f.EnterpriseFactory.create_batch(n, registered_by=office):
            f.CaseFactory(
                enterprise=enterprise,
                scheme=scheme,
                office=office,
                program=program,
                officer=staff,
                current_milestone=milestone,
            )


@pytest.mark.parametrize("role", ["staff_lampung", "superuser"])
@pytest.mark.parametrize("path", sorted(BUDGETS))
@pytest.mark.parametrize("rows", [1, 30])
def test_list_query_count_is_flat(
    client, request, role, path, rows, office_lampung, staff_lampung, django_assert_max_num_queries
):
    program = f.ProgramFactory(office=office_lampung)
    _fill(path, rows, office_lampung, program, staff_lampung)
    client.force_login(request.getfixturevalue(role))
    with django_assert_max_num_queries(BUDGETS[path]):
        response = client.get(f"/admin/{path}/")
    assert response.status_code == 200
    assert response.context["cl"].result_count >= rows


def _more_rows(path, n, office, program, staff):
    from django.core.files.base import ContentFile

    from certifications.models import CaseDocument, CaseEvent, Certificate

    enterprises = f.EnterpriseFactory.create_batch(n, registered_by=office)
    for i, enterprise in enumerate(enterprises):
        if path == "cohorts/stage":
            f.StageFactory(program=program)
        elif path == "cohorts/funding":
            f.FundingFactory(program=program)
        elif path == "accounts/product":
            f.ProductFactory(enterprise=enterprise)
        else:
            case = f.CaseFactory(enterprise=enterprise, office=office, status="granted")
            if path == "certifications/certificate":
                Certificate.objects.create(case=case, number=f"C{i}", issue_date="2026-01-01")
            elif path == "certifications/casedocument":
                CaseDocument.objects.create(
                    case=case, title="NIB", file=ContentFile(b"x", name="x.pdf"), uploaded_by=staff
                )
            else:
                CaseEvent.objects.create(case=case, actor=staff, to_status="granted")


@pytest.mark.parametrize(
    "path",
    [
        "cohorts/stage",
        "cohorts/funding",
        "accounts/product",
        "certifications/certificate",
        "certifications/casedocument",
        "certifications/caseevent",
    ],
)
def test_other_lists_cost_the_same_for_one_row_and_thirty(
    client, path, office_lampung, staff_lampung
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program = f.ProgramFactory(office=office_lampung)
    client.force_login(staff_lampung)
    client.get(f"/admin/{path}/")  # the table's size estimate, read once per five minutes
    counts = []
    for rows in (1, 29):
        _more_rows(path, rows, office_lampung, program, staff_lampung)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/admin/{path}/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.context["cl"].result_count == 30
    assert counts[0] == counts[1]
