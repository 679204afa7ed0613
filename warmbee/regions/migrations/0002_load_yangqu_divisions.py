"""Load Shanxi → Taiyuan → Yangqu County → its townships and communities.

Statistical division codes, 2023 edition (National Bureau of Statistics); see data/.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "yangqu_communities.csv"
UPPER = [
    ("140000000000", "山西省", "Shanxi Province", "province", None),
    ("140100000000", "太原市", "Taiyuan", "city", "140000000000"),
    ("140122000000", "阳曲县", "Yangqu County", "county", "140100000000"),
]


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    by_code = {}
    for code, name, name_en, level, parent in UPPER:
        by_code[code] = Region.objects.create(
            code=code, name=name, name_en=name_en, level=level, parent=by_code.get(parent)
        )
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            township_code = row["township_code"] + "000"
            if township_code not in by_code:
                by_code[township_code] = Region.objects.create(
                    code=township_code, name=row["township"], name_en=row["township_en"],
                    level="township", parent=by_code["140122000000"],
                )
            Region.objects.create(
                code=row["code"], name=row["name"], name_en=row["name_en"], level="community",
                parent=by_code[township_code],
            )


def unload(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    for level in ("community", "township", "county", "city", "province"):
        Region.objects.filter(code__startswith="14", level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_create_regions")]
    operations = [migrations.RunPython(load, unload)]
