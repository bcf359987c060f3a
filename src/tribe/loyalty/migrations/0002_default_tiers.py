"""The default platform tier policy; operators change it in the Django admin."""

from decimal import Decimal

from django.db import migrations

TIERS = [
    (0, "普通会员", Decimal("0.00"), 0),
    (1, "银卡会员", Decimal("1000.00"), 2000),
    (2, "金卡会员", Decimal("5000.00"), 10000),
    (3, "黑金会员", Decimal("20000.00"), 50000),
]


def seed(apps, schema_editor):
    Tier = apps.get_model("loyalty", "Tier")
    for rank, name, spend, points in TIERS:
        Tier.objects.get_or_create(rank=rank, defaults={"name": name, "min_spend": spend, "min_points": points})


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
