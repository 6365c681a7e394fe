"""Backfill: a PROMIS T-score for every stored PROMIS raw sum that has none (responses saved before
the T-score scales existed). Adds rows only; the stored raw sums and responses are not touched.

The tables are read from the instrument data at migration time: the T-score is a pure function of
the raw sum, and this runs once.
"""

from decimal import Decimal

from django.db import migrations

T_OF_RAW = {"promis-pi": "promis-pi-t", "promis-pf": "promis-pf-t", "promis-sleep": "promis-sleep-t"}


def backfill(apps, schema_editor):
    from modules.outcomes.instruments import SCALES

    Score = apps.get_model("outcomes", "Score")
    have = set(Score.objects.filter(scale__in=T_OF_RAW.values()).values_list("response_id", "scale"))
    new = []
    for raw in Score.objects.filter(scale__in=T_OF_RAW).iterator():
        key = T_OF_RAW[raw.scale]
        if (raw.response_id, key) in have:
            continue
        table = SCALES[key][1].tscores
        t = table.t_score(int(raw.total))
        new.append(
            Score(
                response_id=raw.response_id,
                patient_id=raw.patient_id,
                instrument=raw.instrument,
                scale=key,
                total=Decimal(str(t)),
                band="",
                submitted_at=raw.submitted_at,
            )
        )
    Score.objects.bulk_create(new, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0007_text_alerts")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
