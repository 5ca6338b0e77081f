"""Admin lists cost the same number of queries for one row as for thirty."""

import pytest

from tests import factories as f

# Budgets as measured for office staff (scoping costs a few queries); one row or thirty.
BUDGETS = {"accounts/enterprise": 12, "cohorts/program": 13, "certifications/case": 16}


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
