"""The amenity catalogue: what a station can offer, with zh and en labels and an icon."""

from django.db import migrations

CATALOGUE = [
    ("rest_seats", "休息座椅", "Rest seats", "🪑"),
    ("drinking_water", "饮用水", "Drinking water", "💧"),
    ("hot_water", "热水", "Hot water", "♨️"),
    ("microwave", "微波炉", "Microwave oven", "🍱"),
    ("toilet", "卫生间", "Toilet", "🚻"),
    ("phone_charging", "手机充电", "Phone charging", "🔌"),
    ("power_bank", "充电宝借用", "Power bank lending", "🔋"),
    ("rain_gear", "雨伞雨衣借用", "Umbrella and raincoat lending", "☂️"),
    ("first_aid", "急救箱和应急药品", "First-aid kit and emergency medicine", "⛑️"),
    ("repair_tools", "维修工具", "Repair tools", "🔧"),
    ("wifi", "无线网络", "Wi-Fi", "📶"),
    ("heating_cooling", "空调取暖", "Heating and air conditioning", "🌡️"),
    ("sewing_kit", "针线包", "Sewing kit", "🧵"),
    ("reading_corner", "阅读角", "Reading corner", "📚"),
    ("health_hut", "健康小屋", "Health hut", "🩺"),
    ("gym", "健身房", "Gym", "🏋️"),
]


def load(apps, schema_editor):
    Amenity = apps.get_model("stations", "Amenity")
    for order, (code, name, name_en, icon) in enumerate(CATALOGUE):
        Amenity.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "icon": icon, "sort_order": order}
        )


def unload(apps, schema_editor):
    apps.get_model("stations", "Amenity").objects.filter(
        code__in=[code for code, *_ in CATALOGUE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_create_stations")]
    operations = [migrations.RunPython(load, unload)]
