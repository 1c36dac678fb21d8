"""Interviews finished before reports were data keep their prose report as `summary` (0007); give
them a report object holding that summary and no scores, so clients still read it from `report`."""

from django.db import migrations

EMPTY_SCORES = {"correctness": None, "depth": None, "communication": None}


def summary_only_reports(apps, schema_editor):
    Interview = apps.get_model("interviews", "Interview")
    earlier = Interview.objects.filter(status="finished", report__isnull=True).exclude(summary="")
    for interview in earlier.iterator():
        interview.report = {
            "overall": None,
            "dimensions": EMPTY_SCORES,
            "stages": {},
            "strengths": [],
            "improvements": [],
            "practice": [],
            "delivery": None,
            "summary": interview.summary,
        }
        interview.save(update_fields=["report"])


class Migration(migrations.Migration):
    dependencies = [("interviews", "0008_message_asks")]

    operations = [migrations.RunPython(summary_only_reports, migrations.RunPython.noop)]
