"""Version 1 of the separate notice for check-in origins (zh and en).

Written in plain language by the project team; it has not been reviewed by a lawyer.
A later version is a new row (a new migration or the admin), never an edit of this one.
"""

from django.db import migrations, models
from django.utils import timezone

LOCATION_ZH = """暖蜂驿站：为规划新驿站统计“从哪里来”的单独同意（第1版）

位置属于敏感个人信息，所以我们单独问你。不同意也不影响你使用驿站的任何服务。

记录什么
你同意以后，如果你用“找驿站”时让手机定位，并在一小时内到驿站扫码签到，我们在你找驿站时所在的那一片（一个约0.7平方公里的六边形格子，边长约500米）的签到次数上加一。次数按格子、月份和驿站所在的县合计。
不记准确位置，不记时间和日期，不记是哪个驿站，也不为每次签到单独留一条记录：只有每个格子每个月的合计次数。合计次数不和你的姓名、手机号、档案或那次签到放在一起，你的档案里也不会有它。
“找驿站”和平时一样用你的位置算出最近的驿站，用完不保存。为了这项记录，手机另外把位置保留到约100米精度，最多一小时，签到时一起发送；服务器换算成格子后就丢掉。每人每半小时最多计一次。

为什么
知道户外劳动者从哪里来找驿站，帮助县里把新驿站建在最需要的地方（规划“15分钟服务圈”）。

谁能看到
只有负责规划驿站的县、省管理人员，而且只能看到每个格子的合计次数。用这些次数做出的规划会保留它在地图上显示的各片合计。

保存多久
记录的月份之后12个月，到期自动删除。

不同意或撤回
不同意时什么也不记。你可以随时在“我的授权”页面撤回，撤回后马上停止记录，手机上留着的位置（包括没信号时排队等待发送的签到里的位置）也在下次打开签到页或找驿站时删掉。已经加进合计的次数不和你相连，没法单独找出来减掉，到期后自动删除。

有问题或要投诉
请告诉任意一个驿站的工作人员，或联系阳曲县社区建设工委（联系方式张贴在每个驿站）。"""

LOCATION_EN = """Warm Bee stations: separate consent to count where you came from, for planning new stations (version 1)

Where you are is sensitive personal information, so we ask for your consent separately. If you say no, you can still use every service of the stations.

What is recorded
With your consent, when you let the phone find your position in the station finder and then check in at a station by QR code within an hour, we add one to the check-ins counted for the area you searched from: a hexagonal cell of about 0.7 km² (sides of about 500 m). Counts are kept per cell, per month and per county of the station.
We do not note your exact position, the time or the day, or which station, and we keep no record per check-in: only each cell's total for the month. The totals are not kept with your name, your phone number, your file or that check-in, and they do not appear in your file.
The finder uses your position to work out the nearest station, as it always does, and does not keep it. For this count the phone also keeps the position, rounded to about 100 m, for at most an hour and sends it with the check-in; the server turns it into the cell and discards it. At most one check-in per person is counted every half hour.

Why
Knowing where outdoor workers come from when they look for a station helps the county put new stations where they are needed most (planning the "15-minute service circle").

Who can see it
Only the county and province administrators who plan the stations, and they see only each cell's total. A plan made with the totals keeps the totals per area that its map shows.

How long we keep it
For 12 months after the month counted; then the totals are deleted automatically.

Saying no, or withdrawing
Without this consent nothing is counted. You can withdraw it at any time on the "My consents" page. Counting stops at once, and the position kept on your phone (also in check-ins waiting for signal) is deleted the next time you open the check-in page or the finder. Check-ins already added to a total are not linked to you, so they cannot be found and taken out one by one; the totals are deleted when they expire.

Questions or complaints
Tell the staff at any station, or contact the Yangqu County community-building work committee (its contact details are posted at every station)."""


def publish(apps, schema_editor):
    PrivacyNotice = apps.get_model("workers", "PrivacyNotice")
    PrivacyNotice.objects.get_or_create(
        kind="location",
        version=1,
        defaults={
            "text_zh": LOCATION_ZH,
            "text_en": LOCATION_EN,
            "published_at": timezone.now(),
        },
    )


def unpublish(apps, schema_editor):
    PrivacyNotice = apps.get_model("workers", "PrivacyNotice")
    PrivacyNotice.objects.filter(
        kind="location", version=1, consents__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("workers", "0004_add_walk_in_code_purpose")]

    operations = [
        migrations.AlterField(
            model_name="privacynotice",
            name="kind",
            field=models.CharField(
                choices=[
                    ("general", "privacy notice"),
                    ("health", "health data notice"),
                    ("location", "where you came from, for planning"),
                ],
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(publish, unpublish),
    ]
