"""Personal-data masking for free text (Chinese and English), before anything is stored or shown.

Patterns use lookarounds instead of ``\\b``: Python counts CJK characters as word characters, so
``\\b`` finds no boundary in ``电话13577889900`` (TIPS.md "Personal-data patterns"). What is masked
(DESIGN.md "Feedback and open text"):

- mobile numbers: 1[3-9]x + 8 digits, optionally ``+86`` / ``0086`` / ``86-`` in front, spaces or
  dashes between the 3-4-4 groups (the numbering plan of MIIT, 中国移动/联通/电信 13x–19x);
- landlines with an area code: ``010-12345678``, ``(0755)1234567``, ``0571 8888 1234``, ext. allowed;
  without a separator only when labelled (电话/座机/Tel);
- 18-digit resident ID numbers (GB 11643-1999: 6-digit region, birth date 18xx–20xx, 3-digit
  sequence, check digit 0-9/X), also when the check digit is wrong (a mistyped ID is still an ID);
- e-mail addresses;
- QQ numbers when introduced by QQ / 扣扣 / 企鹅号;
- 学号 / 工号 / 学籍号 / 职工号 / 员工号 / 一卡通号 numbers when labelled.

What stays: dates (2025-03-15, 2025/3/4), times, room and building numbers (3号楼312室, 12栋405),
prices (¥135.50, 12元), order numbers labelled 订单号/单号/编号/流水号, counts. Each match is replaced
by a bracketed placeholder naming what was there (``[手机号]``); labels such as "QQ" stay.
"""

from __future__ import annotations

import re

__all__ = ["mask_pii", "PII_KINDS", "PLACEHOLDERS"]

# kind → placeholder (the same in both languages: the stored text is one text)
PLACEHOLDERS: dict[str, str] = {
    "mobile": "[手机号]",
    "landline": "[电话]",
    "id_card": "[身份证号]",
    "email": "[邮箱]",
    "qq": "[QQ号]",
    "student_no": "[学号]",
    "staff_no": "[工号]",
}
PII_KINDS: dict[str, tuple[str, str]] = {
    "mobile": ("手机号", "mobile number"),
    "landline": ("固定电话", "landline"),
    "id_card": ("身份证号", "ID-card number"),
    "email": ("电子邮箱", "e-mail address"),
    "qq": ("QQ号", "QQ number"),
    "student_no": ("学号", "student number"),
    "staff_no": ("工号", "staff number"),
}

_SEP = r"[ \-\u2010-\u2015]?"  # one space or dash (ASCII or Unicode dashes) between digit groups
_ID = (r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
       r"(?![0-9A-Za-z])")
_MOBILE = rf"(?<![0-9+])(?:(?:\+|00)?86{_SEP})?1[3-9]\d(?:{_SEP}\d{{4}}){{2}}(?!\d)"
_LANDLINE = (r"(?<!\d)(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[ \-\u2010-\u2015])\d{3,4}[ \-]?\d{4}"
             r"(?:\s?(?:-|转|ext\.?\s?)\d{1,6})?(?!\d)")
_LANDLINE_LABELLED = r"(?:(?<=电话)|(?<=座机)|(?<=[Tt][Ee][Ll]))(?:[:：]\s?)?0\d{9,11}(?!\d)"
_EMAIL = r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![A-Za-z])"
_QQ = r"(?:QQ|qq|Qq|扣扣|企鹅号)(?:号码|号)?\s?(?:是|为)?\s?[:：]?\s?(?P<qq>[1-9]\d{4,11})(?!\d)"
_STUDENT = r"(?:学号|学籍号|一卡通号|校园卡号)\s?(?:是|为)?\s?[:：]?\s?(?P<stu>[A-Za-z]{0,2}\d{4,14}[A-Za-z]?)(?![0-9A-Za-z])"
_STAFF = r"(?:工号|职工号|员工号|教工号)\s?(?:是|为)?\s?[:：]?\s?(?P<staff>[A-Za-z]{0,2}\d{3,12}[A-Za-z]?)(?![0-9A-Za-z])"

# Order matters: an ID number contains mobile-like runs, a labelled number must not be taken as a phone.
_PATTERN = re.compile(
    "|".join([
        f"(?P<qqfull>{_QQ})",
        f"(?P<stufull>{_STUDENT})",
        f"(?P<stafffull>{_STAFF})",
        f"(?P<email>{_EMAIL})",
        f"(?P<id_card>{_ID})",
        f"(?P<mobile>{_MOBILE})",
        f"(?P<landline>{_LANDLINE}|{_LANDLINE_LABELLED})",
    ])
)
# A number right after one of these labels is an order/ticket number, not personal data.
_ORDER_LABELS = ("订单号", "订单", "单号", "编号", "流水号", "工单", "快递单", "运单")
_QUICK = re.compile(r"(?:\d[ \-()（）]?){5}|@")  # no 5 digits close together and no @: nothing can match


def _labelled_as_order(text: str, start: int) -> bool:
    before = text[max(0, start - 8):start].rstrip(" :：是为")
    return before.endswith(_ORDER_LABELS)


def mask_pii(text: object) -> tuple[str, int]:
    """Replace personal data in ``text`` by placeholders; returns ``(masked text, number of matches)``.

    Examples
    --------
    >>> mask_pii("电话135 7788 9900，宿舍3号楼312室")
    ('电话[手机号]，宿舍3号楼312室', 1)
    >>> mask_pii("QQ：12345678")
    ('QQ：[QQ号]', 1)
    """
    if text is None:
        return "", 0
    s = str(text)
    if not _QUICK.search(s):
        return s, 0
    count = 0
    out: list[str] = []
    pos = 0
    for m in _PATTERN.finditer(s):
        kind = m.lastgroup
        if kind in ("id_card", "mobile", "landline") and _labelled_as_order(s, m.start()):
            continue
        if kind == "qqfull":
            start, end, ph = m.start("qq"), m.end("qq"), PLACEHOLDERS["qq"]
        elif kind == "stufull":
            start, end, ph = m.start("stu"), m.end("stu"), PLACEHOLDERS["student_no"]
        elif kind == "stafffull":
            start, end, ph = m.start("staff"), m.end("staff"), PLACEHOLDERS["staff_no"]
        else:
            start, end, ph = m.start(), m.end(), PLACEHOLDERS[kind]
        out.append(s[pos:start])
        out.append(ph)
        pos = end
        count += 1
    if not count:
        return s, 0
    out.append(s[pos:])
    return "".join(out), count
