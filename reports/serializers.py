"""The API's query parameters and response shapes; every field described for the schema."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Province, Regency, Sector
from certifications.models import Scheme
from cohorts.models import Cohort, Funding, Program
from reports import selectors
from reports.models import ReportSnapshot

# --- query parameters ------------------------------------------------------------------


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _date_in_range(value):
    if value is not None and not EARLIEST <= value <= LATEST:
        raise serializers.ValidationError(_("The date must lie between 1900 and 2999."))
    return value


class ReportQuerySerializer(serializers.Serializer):
    """Filters shared by every report and list."""

    program = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2_147_483_647,
        help_text=_("Only this programme (its id)."),
    )
    stage = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2_147_483_647,
        help_text=_("Only this stage (its id)."),
    )
    date_from = serializers.DateField(
        required=False,
        help_text=_("First day counted (YYYY-MM-DD), on each indicator's own event date."),
    )
    date_to = serializers.DateField(
        required=False,
        help_text=_("Last day counted (YYYY-MM-DD), on each indicator's own event date."),
    )
    province = serializers.CharField(
        required=False, max_length=2, help_text=_("Province by its Kemendagri code, e.g. 18.")
    )
    regency = serializers.CharField(
        required=False,
        max_length=5,
        help_text=_("Regency or city by its Kemendagri code, e.g. 18.71."),
    )
    sector = serializers.CharField(
        required=False, max_length=40, help_text=_("Sector by its code, e.g. kopi.")
    )
    labels = serializers.ChoiceField(
        required=False,
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        help_text=_(
            "CSV and XLSX only: human column labels in this language instead of field names."
        ),
    )

    def validate_date_from(self, value):
        return _date_in_range(value)

    def validate_date_to(self, value):
        return _date_in_range(value)

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_from": [_("date_from cannot be after date_to.")]}
            )
        for name, model, field in (
            ("province", Province, "code_kemendagri"),
            ("regency", Regency, "code_kemendagri"),
            ("sector", Sector, "code"),
        ):
            value = attrs.get(name)
            if value and not model.objects.filter(**{field: value}).exists():
                raise serializers.ValidationError({name: [_("Unknown value: %s") % value]})
        return attrs


class BreakdownQuerySerializer(ReportQuerySerializer):
    by = serializers.ChoiceField(
        choices=selectors.BREAKDOWN_KEYS, help_text=_("The key the rows are grouped on.")
    )


class TimeseriesQuerySerializer(ReportQuerySerializer):
    metric = serializers.ChoiceField(
        choices=selectors.TIMESERIES_METRICS, help_text=_("What is counted per period.")
    )
    interval = serializers.ChoiceField(
        choices=selectors.INTERVALS,
        default="month",
        help_text=_("The length of a period (a semester is half a year)."),
    )


# --- indicators ------------------------------------------------------------------------


def _levels(nullable: bool):
    class Levels(serializers.Serializer):
        beginner = serializers.IntegerField(allow_null=nullable, help_text=_("Kelas Pemula"))
        intermediate = serializers.IntegerField(allow_null=nullable, help_text=_("Kelas Menengah"))
        advanced = serializers.IntegerField(allow_null=nullable, help_text=_("Kelas Mahir"))

    Levels.__name__ = "LevelCounts" + ("Suppressible" if nullable else "")
    return Levels


def _families(nullable: bool):
    fields = {
        family: serializers.IntegerField(allow_null=nullable, help_text=label)
        for family, label in Scheme.Family.choices
    }
    name = "FamilyCounts" + ("Suppressible" if nullable else "")
    return type(name, (serializers.Serializer,), fields)


def _employees(nullable: bool):
    class Employees(serializers.Serializer):
        intake = serializers.IntegerField(
            allow_null=nullable, help_text=_("Sum of the intake snapshots.")
        )
        latest = serializers.IntegerField(
            allow_null=nullable, help_text=_("Sum of the enterprises' current records.")
        )

    Employees.__name__ = "Employees" + ("Suppressible" if nullable else "")
    return Employees


def _indicator_fields(nullable: bool) -> dict:
    d = {k: str(v) for k, v in selectors.INDICATOR_DEFINITIONS.items()}
    n = nullable
    Levels, Families, Employees = _levels(n), _families(n), _employees(n)
    return {
        "applicants": serializers.IntegerField(allow_null=n, help_text=d["applicants"]),
        "selected": serializers.IntegerField(allow_null=n, help_text=d["selected"]),
        "enterprises_enrolled": serializers.IntegerField(
            allow_null=n, help_text=d["enterprises_enrolled"]
        ),
        "enrollments_by_level": Levels(help_text=d["enrollments_by_level"]),
        "completed_by_level": Levels(help_text=d["completed_by_level"]),
        "dropouts": serializers.IntegerField(allow_null=n, help_text=d["dropouts"]),
        "completion_rate": serializers.FloatField(
            allow_null=True, min_value=0, max_value=1, help_text=d["completion_rate"]
        ),
        "attendance_rate": serializers.FloatField(
            allow_null=True, min_value=0, max_value=1, help_text=d["attendance_rate"]
        ),
        "level_progressions": serializers.IntegerField(
            allow_null=n, help_text=d["level_progressions"]
        ),
        "certification_cases_by_family": Families(help_text=d["certification_cases_by_family"]),
        "certificates_granted_by_family": Families(help_text=d["certificates_granted_by_family"]),
        "certificates_granted_by_scheme": serializers.DictField(
            child=serializers.IntegerField(allow_null=n),
            allow_null=n,
            help_text=d["certificates_granted_by_scheme"],
        ),
        "certificates_active": serializers.IntegerField(
            allow_null=n, help_text=d["certificates_active"]
        ),
        "nib_obtained": serializers.IntegerField(allow_null=n, help_text=d["nib_obtained"]),
        "new_exporters": serializers.IntegerField(allow_null=n, help_text=d["new_exporters"]),
        "repeat_exporters": serializers.IntegerField(allow_null=n, help_text=d["repeat_exporters"]),
        "new_destinations": serializers.IntegerField(allow_null=n, help_text=d["new_destinations"]),
        "export_value_idr": serializers.IntegerField(allow_null=n, help_text=d["export_value_idr"]),
        "export_value_usd": serializers.DecimalField(
            max_digits=20, decimal_places=2, allow_null=n, help_text=d["export_value_usd"]
        ),
        "destination_countries": serializers.IntegerField(
            allow_null=n, help_text=d["destination_countries"]
        ),
        "women_owned_share": serializers.FloatField(
            allow_null=True, min_value=0, max_value=1, help_text=d["women_owned_share"]
        ),
        "women_led_share": serializers.FloatField(
            allow_null=True, min_value=0, max_value=1, help_text=d["women_led_share"]
        ),
        "employees_women": Employees(help_text=d["employees_women"]),
        "employees_men": Employees(help_text=d["employees_men"]),
        "size_class_upgrades": serializers.IntegerField(
            allow_null=n, help_text=d["size_class_upgrades"]
        ),
        "subsidy_idr": serializers.IntegerField(allow_null=n, help_text=d["subsidy_idr"]),
    }


class TargetsSerializer(serializers.Serializer):
    participants = serializers.IntegerField(
        help_text=_("Sum of the programmes' participant targets.")
    )
    new_exporters = serializers.IntegerField(
        help_text=_("Sum of the programmes' new-exporter targets.")
    )
    basis = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The denominators the targets are counted against, as the programmes state."),
    )


SummarySerializer = type(
    "SummarySerializer",
    (serializers.Serializer,),
    {
        **_indicator_fields(False),
        "as_of": serializers.DateTimeField(help_text=_("When these numbers were read.")),
        "targets": TargetsSerializer(help_text=_("The targets of the programmes counted.")),
        "__doc__": "Every indicator of the programmes the caller reads.",
    },
)

BreakdownRowSerializer = type(
    "BreakdownRowSerializer",
    (serializers.Serializer,),
    {
        "key": serializers.CharField(
            allow_blank=True, help_text=_("The group's key (a code); empty when not recorded.")
        ),
        "label": serializers.CharField(allow_blank=True, help_text=_("The group's name.")),
        "suppressed": serializers.BooleanField(
            help_text=_("True when the group has fewer than 5 enterprises: its numbers are null.")
        ),
        "enterprises": serializers.IntegerField(
            allow_null=True,
            help_text=_("Distinct enterprises counted in the group (the largest of its sources)."),
        ),
        **_indicator_fields(True),
        "__doc__": "One group of a breakdown with the same indicators as the summary.",
    },
)


class TimeseriesPointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text=_("The period: 2026-03, 2026-Q1, 2026-S1 or 2026."))
    value = serializers.IntegerField(
        help_text=_("The metric in the period (rupiah for export_value).")
    )
    value_usd = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        required=False,
        help_text=_("export_value only: the same exports in US dollars."),
    )


# --- lists -----------------------------------------------------------------------------


class FundingSerializer(serializers.ModelSerializer):
    funder = serializers.CharField(source="funder.name", help_text=_("The funder's name."))
    funder_short_name = serializers.CharField(
        source="funder.short_name", help_text=_("The funder's short name.")
    )

    class Meta:
        model = Funding
        fields = ["funder", "funder_short_name", "amount", "kind"]


class ProgramSerializer(serializers.ModelSerializer):
    office = serializers.CharField(source="office.name", help_text=_("The office that runs it."))
    fundings = FundingSerializer(many=True, help_text=_("Who funds it, how much and how."))

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "office",
            "start_date",
            "end_date",
            "target_participants",
            "target_new_exporters",
            "target_basis",
            "fundings",
        ]


class CohortSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="stage.program_id", help_text=_("Programme id."))
    stage = serializers.IntegerField(source="stage.number", help_text=_("Stage number."))
    enrolled = serializers.IntegerField(help_text=_("Participants admitted (still or before)."))
    waitlisted = serializers.IntegerField(help_text=_("On the waiting list now."))
    completed = serializers.IntegerField(help_text=_("Participants who completed the class."))
    attendance_rate = serializers.SerializerMethodField(
        help_text=_("Present marks ÷ all marks of sessions not cancelled; null when none."),
    )

    class Meta:
        model = Cohort
        fields = [
            "id",
            "program",
            "stage",
            "name",
            "level",
            "capacity",
            "enrolled",
            "waitlisted",
            "completed",
            "attendance_rate",
        ]

    def get_attendance_rate(self, obj) -> float | None:
        return round(obj.marks_present / obj.marks_all, 4) if obj.marks_all else None


class NewExporterSerializer(serializers.Serializer):
    enterprise_id = serializers.IntegerField(help_text=_("The enterprise's id."))
    name = serializers.CharField(source="enterprise.name", help_text=_("The enterprise's name."))
    nib = serializers.CharField(
        source="enterprise.nib", allow_blank=True, help_text=_("Its NIB (13 digits).")
    )
    regency = serializers.SerializerMethodField(help_text=_("Its regency or city."))
    sector = serializers.SerializerMethodField(help_text=_("Its sector."))
    first_export_date = serializers.DateField(
        source="graduated_on", help_text=_("The date of its first verified export.")
    )
    channel = serializers.CharField(source="export_record.channel", help_text=_("How it shipped."))
    destination = serializers.CharField(
        source="export_record.destination_country.code", help_text=_("ISO country code.")
    )
    value_idr = serializers.IntegerField(
        source="export_record.value_idr", help_text=_("The first export's value in rupiah.")
    )
    value_usd = serializers.DecimalField(
        source="export_record.value_usd",
        max_digits=18,
        decimal_places=2,
        help_text=_("The first export's value in US dollars."),
    )

    def get_regency(self, obj) -> str:
        regency = obj.enterprise.regency
        return regency.name if regency else ""

    def get_sector(self, obj) -> str:
        sector = obj.enterprise.sector
        return sector.name if sector else ""


class FrozenSummarySerializer(SummarySerializer):
    """A summary as it was frozen: an indicator defined after the freeze reads null."""

    def to_representation(self, instance):
        if isinstance(instance, dict):
            instance = {name: instance.get(name) for name in self.fields}
        return super().to_representation(instance)


class SnapshotSerializer(serializers.ModelSerializer):
    data = FrozenSummarySerializer(read_only=True, help_text=_("The summary as it was frozen."))
    filters = serializers.DictField(read_only=True, help_text=_("The filters it was read with."))
    name = serializers.CharField(max_length=200, help_text=_("A name for the snapshot."))

    class Meta:
        model = ReportSnapshot
        fields = ["id", "name", "filters", "created_at", "data"]
        read_only_fields = ["id", "created_at"]
