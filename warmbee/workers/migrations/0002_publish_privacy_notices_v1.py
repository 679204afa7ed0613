"""Version 1 of the privacy notice and of the separate health data notice (zh and en).

Written in plain language by the project team; it has not been reviewed by a lawyer.
A later version is a new row (a new migration or the admin), never an edit of this one.
"""

from django.db import migrations
from django.utils import timezone

GENERAL_ZH = """暖蜂驿站个人信息说明（第1版）

谁在处理你的信息
暖蜂驿站由阳曲县社区建设工委和各社区党群服务中心运营。你的信息由县社区建设工委负责保管和使用。

注册时我们收集什么
- 手机号：用来确认是你本人，并用验证码登录。
- 姓名、职业、所在平台或单位、交通工具、平时工作的社区：用来为你安排服务，并统计各驿站服务了哪些人。
- 紧急联系人的姓名和电话（可不填）：只在你遇到紧急情况时使用。
我们不要求你提供身份证号。任何服务都不需要身份证号。

使用驿站时我们记录什么
签到（哪个驿站、什么时间）、用了哪些服务、报名和参加的活动、借还的物品、你提交的隐患上报和社情民意（含你填写的位置和照片）、志愿服务时长和积分。
我们不追踪你的位置。用"找驿站"时，你的位置只用来计算最近的驿站，不会记进你的档案。

为什么要用这些信息
为你提供驿站服务、活动、借用和志愿服务记录；统计驿站的使用情况（向上级报告的只是不含姓名的数字）；规划新的驿站。

谁能看到
- 你自己：随时可以查看自己的全部档案。
- 驿站工作人员：只能看到到过他们驿站的人的基本信息（姓名、职业、平台）和在该驿站的记录。
- 县里的管理人员：可以查看全部档案，但打开手机号、身份证号等敏感信息时必须填写理由，并被记录下来。
我们不会把你的信息卖给任何人，也不会提供给你的平台、公司或雇主。

怎样保护
手机号和身份证号加密保存；在列表中只显示部分号码（如138****5678）；每一次查看敏感信息、每一次修改都记入不能删改的日志。

保存多久
你使用驿站期间一直保存。如果你的档案连续两年没有任何活动，我们会删除或匿名处理：去掉能认出你的信息，只保留不含姓名的统计数字。

你的权利
你可以随时查看、下载（导出）、更正自己的信息，也可以注销账号。注销时你的姓名、手机号等会被删除，只保留不含姓名的统计数字。
你可以随时撤回同意（在"我的授权"页面）。撤回后我们立即停止使用你的档案：你的个人二维码卡片失效，档案功能不能再用。你仍然可以像没有注册的人一样使用驿站，签到按匿名计数。

有问题或要投诉
请告诉任意一个驿站的工作人员，或联系阳曲县社区建设工委（联系方式张贴在每个驿站）。

如果这份说明有改动，我们会发布新版本，并请你重新确认。"""

GENERAL_EN = """Warm Bee stations: how we use your personal information (version 1)

Who handles your information
Warm Bee stations are run by the Yangqu County community-building work committee together with the community party-and-public service centres. The county work committee is responsible for keeping and using your information.

What we collect when you register
- Your mobile number: to confirm it is you, and to log you in with a code.
- Your name, occupation, platform or employer, vehicle and the communities where you usually work: to arrange services for you and to count whom the stations serve.
- An emergency contact's name and number (optional): used only if something happens to you.
We do not ask for your ID number. No service needs it.

What we record when you use the stations
Check-ins (which station, when), the services you used, events you signed up for and attended, things you borrowed and returned, hazard and public-opinion reports you send (with the location and photos you give), volunteer hours and points.
We do not track where you are. When you use the station finder, your position is used only to work out the nearest station and is not kept in your file.

Why we use this information
To give you station services, events, loans and a record of your volunteering; to count how the stations are used (what we report upwards is numbers without names); to plan new stations.

Who can see it
- You: you can see your whole file at any time.
- Station staff: only the basic file (name, occupation, platform) of people who came to their station, and the records made at their station.
- County administrators: can see every file, but must type a reason before opening sensitive information such as your phone number or ID number, and that is logged.
We do not sell your information to anyone, and we do not give it to your platform, company or employer.

How it is protected
Phone numbers and ID numbers are stored encrypted; lists show only part of a number (such as 138****5678); every look at sensitive information and every change goes into a log that cannot be edited or deleted.

How long we keep it
For as long as you use the stations. If your file has had no activity for two years, we delete it or make it anonymous: what could identify you is removed and only counts without names are kept.

Your rights
You can see, download (export) and correct your information at any time, and you can delete your account. Deleting removes your name, phone number and other details; only counts without names are kept.
You can withdraw your consent at any time (on the "My consents" page). We then stop using your file at once: your personal QR card stops working and the file features can no longer be used. You can still use the stations like anyone who has not registered; your check-ins are counted anonymously.

Questions or complaints
Tell the staff at any station, or contact the Yangqu County community-building work committee (its contact details are posted at every station).

If this notice changes, we publish a new version and ask you to confirm again."""

HEALTH_ZH = """暖蜂驿站健康信息单独同意（第1版）

健康信息属于敏感个人信息，所以需要你单独同意。不同意也不影响你使用驿站的其他任何服务。

记录什么
在健康小屋或义诊时，医生为你测量的血压、身高、体重、体脂和由此算出的体质指数（BMI），医生的建议，以及是否需要复查。

为什么
让你和医生能看到这些数字的变化，及时提醒你复查。

谁能看到
只有你自己和驿站的医生。县里的管理人员只有在特殊情况下、填写理由后才能查看，每一次查看都会被记录。
驿站工作人员看不到。我们不会把健康信息提供给你的平台、公司、雇主或保险公司。

怎样保护
健康数值加密保存，每一次查看和修改都记入不能删改的日志。

不同意或撤回
不同意时，我们不会为你建立任何健康记录。
你可以随时在"我的授权"页面撤回。撤回后立即不能再新建健康记录。之前的记录仍然只有你和医生能看到；注销账号时，能认出你的信息会被删除，只保留不含姓名的统计数字。

保存多久
与你的档案相同：连续两年没有任何活动的档案会被删除或匿名处理。

有问题或要投诉
请告诉驿站的医生或工作人员，或联系阳曲县社区建设工委（联系方式张贴在每个驿站）。"""

HEALTH_EN = """Warm Bee stations: separate consent for health information (version 1)

Health information is sensitive personal information, so we ask for your consent separately. If you say no, you can still use every other service of the stations.

What is recorded
At the health hut or a free clinic: the blood pressure, height, weight and body fat a doctor measures, the body mass index (BMI) worked out from them, the doctor's advice, and whether you should come back for a follow-up.

Why
So that you and the doctor can see how these figures change, and so that you are reminded of follow-ups.

Who can see it
Only you and the stations' doctors. County administrators can look only in exceptional cases, after typing a reason, and every look is logged.
Station staff cannot see it. We do not give health information to your platform, company, employer or any insurer.

How it is protected
Health values are stored encrypted; every look and every change goes into a log that cannot be edited or deleted.

Saying no, or withdrawing
Without this consent, no health record is made for you.
You can withdraw it at any time on the "My consents" page. From then on no new health record can be made. Records made earlier can still be seen only by you and the doctors; when you delete your account, what could identify you is removed and only counts without names are kept.

How long we keep it
As for your file: a file with no activity for two years is deleted or made anonymous.

Questions or complaints
Tell a station's doctor or staff, or contact the Yangqu County community-building work committee (its contact details are posted at every station)."""


def publish(apps, schema_editor):
    PrivacyNotice = apps.get_model("workers", "PrivacyNotice")
    now = timezone.now()
    for kind, text_zh, text_en in (
        ("general", GENERAL_ZH, GENERAL_EN),
        ("health", HEALTH_ZH, HEALTH_EN),
    ):
        PrivacyNotice.objects.get_or_create(
            kind=kind,
            version=1,
            defaults={"text_zh": text_zh, "text_en": text_en, "published_at": now},
        )


def unpublish(apps, schema_editor):
    PrivacyNotice = apps.get_model("workers", "PrivacyNotice")
    PrivacyNotice.objects.filter(version=1, consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workers", "0001_create_worker_files")]

    operations = [migrations.RunPython(publish, unpublish)]
