"""The admin's name and NIB searches use a trigram index on PostgreSQL, which runs without JIT."""

import pytest
from django.db import connection

from accounts.models import Enterprise
from tests.conftest import need_postgres

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_name_search_can_use_the_trigram_index(office_lampung):
    need_postgres()
    with connection.cursor() as cursor:
        # Neither a sequential scan nor a walk along a b-tree (the list's order index): what
        # is left to find the rows is the trigram index, if it can serve the pattern.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        cursor.execute("SET enable_indexonlyscan = off")
        query = Enterprise.objects.filter(name__icontains="kopi").values("pk").query
        sql, params = query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
        cursor.execute("RESET enable_indexonlyscan")
    assert "accounts_enterprise_name_upper_trgm" in plan, plan


def test_postgresql_runs_the_web_apps_queries_without_jit(db):
    # JIT compilation cost close to a second per scoped admin list at 100,000 enterprises.
    need_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
