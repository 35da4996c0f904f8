"""Recognizers of personal information: one definition used twice.

Each :class:`Recognizer` is a whole-value regex that runs unchanged in Python ``re``,
DuckDB (RE2) and Spark (java.util.regex), optionally followed by a validator from
:mod:`datadeed.identifiers` (GB 11643 check character, birth date and province; GB 32100;
Luhn). The scanner compiles the same definitions into SQL counts over the full data
(``scan.py``); :func:`classify_value` is the Python reading of one value, used for
samples, the evaluation set and tests. A recognizer may also need the column name to
hint at it (``hint``): values such as passport numbers or bank account numbers cannot
be told apart from codes by their shape alone.

Values are matched as they are, after trimming: the patterns allow the separators that
people type (spaces and hyphens in cards and phone numbers, ``+86``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from datadeed import identifiers

__all__ = [
    "RECOGNIZERS",
    "Recognizer",
    "anti_hinted",
    "by_type",
    "classify_value",
    "hint_matches",
    "value_matches",
]

Validator = Literal["resident_id", "uscc", "bank_card", "mobile"]
ValueKind = Literal["text", "number", "date", "name_only"]

# Provinces' one-character abbreviations on vehicle plates (GA 36).
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "A-HJ-NP-Z"
# The commonest Chinese surnames (covering about 85% of the population) and compound ones.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = "欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|司徒|尉迟|公孙|夏侯|长孙|宇文"
_CJK = "\u4e00-\u9fff"


@dataclass(frozen=True)
class Recognizer:
    """One kind of personal (or organisational) information.

    ``pattern`` is matched against the whole trimmed text; ``validator`` names the
    :mod:`datadeed.identifiers` check registered in the engines as ``dd_valid_<name>``;
    ``excludes`` lists types that win when a value matches both (a valid resident ID is
    not also a bank card). ``hint`` is a case-insensitive regex on the column name;
    ``needs_hint`` recognizers count only in columns whose name matches it (and not
    ``anti_hint``); a value that fully matches ``not_pattern`` is never this type.
    ``validated`` marks a check beyond the shape (checksum, date, province, value
    ranges): the recognizers held to the precision/recall target. ``lengths`` bounds the
    trimmed text's length: a cheap test run before the pattern, and the scanner drops a
    recognizer for a column whose values are all shorter or longer. ``marker`` is a
    character every match contains (``@`` in an e-mail), tested before the pattern.
    """

    pi_type: str
    label_zh: str
    label_en: str
    pattern: str | None
    kind: ValueKind = "text"
    validator: Validator | None = None
    excludes: tuple[str, ...] = ()
    hint: str | None = None
    anti_hint: str | None = None
    needs_hint: bool = False
    validated: bool = False
    digits_only: bool = False
    not_pattern: str | None = None
    lengths: tuple[int, int] = (1, 1000)
    marker: str | None = None

    def compiled(self) -> re.Pattern[str]:
        return _compiled(self.pattern or "")


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _CACHE:
        _CACHE[pattern] = re.compile(f"^(?:{pattern})$", re.DOTALL)
    return _CACHE[pattern]


_PROVINCE_ALT = "(?:" + "|".join(sorted(identifiers.PROVINCE_CODES)) + ")"
_HEX = "[0-9A-Fa-f]"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_H16 = f"{_HEX}{{1,4}}"

RECOGNIZERS: tuple[Recognizer, ...] = (
    Recognizer(
        "resident_id",
        "居民身份证号码",
        "resident ID number",
        "[1-8][0-9]{16}[0-9Xx]",
        validator="resident_id",
        hint="身份证|证件号|公民身份|sfz|id_?card|id_?no|id_?number|resident",
        validated=True,
        digits_only=True,
        lengths=(18, 18),
    ),
    Recognizer(
        "uscc",
        "统一社会信用代码",
        "unified social credit code",
        # Registration authority and category (GB 32100 positions 1-2), then a division
        # code starting with a province (positions 3-8): order numbers fail here.
        f"[1-9ANY][1-9]{_PROVINCE_ALT}[0-9]{{4}}[0-9A-HJ-NP-RTUWXY]{{10}}",
        validator="uscc",
        hint="信用代码|uscc|credit_?code|税号",
        validated=True,
        lengths=(18, 18),
    ),
    Recognizer(
        "bank_card",
        "银行卡号",
        "bank card number",
        "(?:62|4[0-9]|5[1-5]|2[2-7]|3[457]|60)(?:[ -]?[0-9]){14,17}",
        validator="bank_card",
        excludes=("resident_id",),
        # 18 digits shaped like a resident ID (province, a 19xx/20xx year) are not cards,
        # even when a wrong birth date makes them invalid IDs.
        not_pattern=f"{_PROVINCE_ALT}[0-9]{{4}}(?:19|20)[0-9]{{9}}[0-9Xx]",
        hint="卡号|银行卡|card",
        validated=True,
        digits_only=True,
        lengths=(16, 23),
    ),
    Recognizer(
        "mobile",
        "手机号码",
        "mobile number",
        "(?:(?:\\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}",
        hint="手机|电话|联系方式|mobile|phone|tel|cell",
        anti_hint="编码|编号|货号|条码|订单|sku|code|order|serial",
        validated=True,
        digits_only=True,
        lengths=(11, 17),
    ),
    Recognizer(
        "landline",
        "固定电话",
        "landline number",
        "(?:\\(0[1-9][0-9]{1,2}\\)|0[1-9][0-9]{1,2}-)[2-9][0-9]{6,7}(?:-[0-9]{1,5})?",
        hint="电话|座机|固话|phone|tel",
        validated=True,
        lengths=(10, 20),
    ),
    Recognizer(
        "email",
        "电子邮件地址",
        "email address",
        "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}",
        hint="邮箱|邮件|email|e_?mail",
        validated=True,
        lengths=(6, 254),
        marker="@",
    ),
    Recognizer(
        "ipv4",
        "IPv4 地址",
        "IPv4 address",
        f"{_OCTET}(?:\\.{_OCTET}){{3}}",
        hint="ip",
        validated=True,
        lengths=(7, 15),
    ),
    Recognizer(
        "ipv6",
        "IPv6 地址",
        "IPv6 address",
        f"(?:{_H16}:){{7}}{_H16}|(?:{_H16}:){{1,6}}:(?:{_H16}(?::{_H16}){{0,5}})?|::(?:{_H16}(?::{_H16}){{0,6}})?",
        hint="ip",
        validated=True,
        lengths=(2, 45),
        marker=":",
    ),
    Recognizer(
        "mac",
        "MAC 地址",
        "MAC address",
        f"{_HEX}{{2}}(?::{_HEX}{{2}}){{5}}|{_HEX}{{2}}(?:-{_HEX}{{2}}){{5}}|{_HEX}{{4}}\\.{_HEX}{{4}}\\.{_HEX}{{4}}",
        hint="mac|物理地址",
        validated=True,
        lengths=(14, 17),
    ),
    Recognizer(
        "imei",
        "IMEI 设备识别码",
        "IMEI",
        "[0-9]{15}",
        validator="bank_card",  # IMEI's 15th digit is a Luhn check digit
        hint="imei|串号|设备号|device",
        needs_hint=True,
        validated=True,
        digits_only=True,
        lengths=(15, 15),
    ),
    Recognizer(
        "passport",
        "护照号码",
        "passport number",
        "E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[GDSP][0-9]{8}|[DSP]E[0-9]{7}|[A-Z]{1,2}[0-9]{6,8}",
        hint="护照|passport",
        needs_hint=True,
        lengths=(7, 10),
    ),
    Recognizer(
        "travel_permit",
        "港澳台通行证号码",
        "HK/Macau/Taiwan travel permit number",
        "C[0-9A-HJ-NP-Z][0-9]{7}|[HM][0-9]{8}(?:[0-9]{2})?|[TL][0-9]{8}|[0-9]{8}",
        hint="通行证|回乡证|台胞证|permit",
        needs_hint=True,
        lengths=(8, 11),
    ),
    Recognizer(
        "vehicle_plate",
        "机动车号牌",
        "vehicle plate",
        f"[{_PLATE_PROVINCES}][{_PLATE_LETTERS}][·• ]?"
        f"(?:[DF][{_PLATE_LETTERS}0-9][0-9]{{4}}|[0-9]{{5}}[DF]"
        f"|[{_PLATE_LETTERS}0-9]{{4}}[{_PLATE_LETTERS}0-9挂学警])",
        hint="车牌|号牌|plate",
        validated=True,
        lengths=(7, 9),
    ),
    Recognizer(
        "bank_account",
        "银行账号",
        "bank account number",
        "[0-9](?:[ -]?[0-9]){9,24}",
        excludes=("bank_card", "resident_id", "mobile"),
        hint="账号|账户|帐号|帐户|account|acct",
        needs_hint=True,
        digits_only=True,
        lengths=(10, 49),
    ),
    Recognizer(
        "person_name",
        "姓名",
        "person name",
        f"(?:{_COMPOUND_SURNAMES}|[{_SURNAMES}])[{_CJK}]{{1,2}}"
        "|[A-Z][a-z]+(?: [A-Z]\\.?)?(?: [A-Z][a-z]+){1,2}",
        hint="姓名|名字|联系人|收件人|收货人|持卡人|申请人|患者|客户|person|full_?name|"
        "first_?name|last_?name|^name$|contact|customer|holder",
        anti_hint="公司|企业|单位|机构|产品|商品|文件|项目|门店|品牌|company|product|file|org|"
        "brand|shop|store|project",
        needs_hint=True,
        lengths=(2, 40),
    ),
    Recognizer(
        "address",
        "地址",
        "address",
        f"[{_CJK}0-9A-Za-z()（）#\\- ]*(?:省|市|自治区|区|县|旗)"
        f"[{_CJK}0-9A-Za-z()（）#\\- ]*(?:路|街|道|巷|弄|号|村|组|室|栋|幢|楼|单元)"
        f"[{_CJK}0-9A-Za-z()（）#\\- ]*",
        hint="地址|住址|住所|户籍|address|addr",
        anti_hint="ip|mac|email|邮箱",
        lengths=(6, 200),
    ),
    Recognizer(
        "gps",
        "精确位置(经纬度)",
        "GPS coordinates",
        "-?[0-9]{1,3}\\.[0-9]{4,}[ ]*,[ ]*-?[0-9]{1,3}\\.[0-9]{4,}",
        hint="经度|纬度|经纬|坐标|定位|gps|lat|lng|lon|coord|location",
        lengths=(11, 40),
        marker=",",
    ),
    Recognizer(
        "birth_date",
        "出生日期",
        "date of birth",
        "(?:19[0-9]{2}|20[0-9]{2})(?:[-/.年]?)(?:0?[1-9]|1[0-2])(?:[-/.月]?)"
        "(?:0?[1-9]|[12][0-9]|3[01])日?",
        kind="date",
        hint="出生|生日|birth|dob|born",
        needs_hint=True,
        lengths=(6, 11),
    ),
    Recognizer(
        "health",
        "健康生理信息",
        "health information",
        None,
        kind="name_only",
        hint="病|诊断|病历|病史|体检|就诊|用药|过敏|medical|diagnos|disease|health|symptom",
        needs_hint=True,
    ),
    Recognizer(
        "religion",
        "宗教信仰",
        "religious belief",
        None,
        kind="name_only",
        hint="宗教|信仰|religio",
        needs_hint=True,
    ),
    Recognizer(
        "biometric",
        "生物识别信息",
        "biometric data",
        None,
        kind="name_only",
        hint="指纹|人脸|面部|虹膜|声纹|掌纹|fingerprint|face_?(?:id|feature|template)|iris|biometric",
        needs_hint=True,
    ),
)

_BY_TYPE = {r.pi_type: r for r in RECOGNIZERS}


def by_type(pi_type: str) -> Recognizer:
    """The recognizer for ``pi_type``; KeyError for an unknown type."""
    return _BY_TYPE[pi_type]


def anti_hinted(recognizer: Recognizer, column: str | None) -> bool:
    """Whether the column name says the values are something else (``商品编码``)."""
    if column is None or recognizer.anti_hint is None:
        return False
    return re.search(recognizer.anti_hint, column.strip().lower(), re.IGNORECASE) is not None


def hint_matches(recognizer: Recognizer, column: str | None) -> bool:
    """Whether the column name hints at this recognizer (and not at something else)."""
    if column is None or recognizer.hint is None:
        return False
    name = column.strip().lower()
    if recognizer.anti_hint and re.search(recognizer.anti_hint, name, re.IGNORECASE):
        return False
    return re.search(recognizer.hint, name, re.IGNORECASE) is not None


_VALIDATORS: dict[Validator, Callable[[str], bool]] = {
    "resident_id": identifiers.is_valid_resident_id,
    "uscc": identifiers.is_valid_uscc,
    "bank_card": identifiers.is_valid_bank_card,
    "mobile": identifiers.is_valid_mobile,
}


def _birth_date_plausible(text: str, today: date) -> bool:
    digits = re.findall("[0-9]+", text)
    try:
        if len(digits) == 1:
            d = digits[0]
            born = date(int(d[:4]), int(d[4:6]), int(d[6:8]))
        else:
            born = date(int(digits[0]), int(digits[1]), int(digits[2]))
    except (ValueError, IndexError):
        return False
    return date(1900, 1, 1) <= born <= today


def value_matches(recognizer: Recognizer, value: str, *, today: date | None = None) -> bool:
    """Whether the value alone (trimmed) has the shape and passes the validation.

    Exclusions and column hints are left to :func:`classify_value` and the scanner.
    """
    if recognizer.pattern is None:
        return False
    text = value.strip()
    if not recognizer.lengths[0] <= len(text) <= recognizer.lengths[1]:
        return False
    if recognizer.marker is not None and recognizer.marker not in text:
        return False
    if not recognizer.compiled().match(text):
        return False
    if recognizer.not_pattern is not None and _compiled(recognizer.not_pattern).match(text):
        return False
    if recognizer.validator is not None:
        return _VALIDATORS[recognizer.validator](text)
    if recognizer.kind == "date":
        return _birth_date_plausible(text, today or date.today())
    return True


def classify_value(value: str | None, column: str | None = None) -> str | None:
    """The PI type of one value in a column named ``column``, or None.

    Recognizers are tried in :data:`RECOGNIZERS` order; one that ``needs_hint`` is
    skipped unless the column name hints at it, one whose ``anti_hint`` the name matches
    is skipped, and one whose ``excludes`` type matches the value gives way to it.
    """
    if value is None or not value.strip():
        return None
    for recognizer in RECOGNIZERS:
        if recognizer.needs_hint and not hint_matches(recognizer, column):
            continue
        if anti_hinted(recognizer, column):
            continue
        if not value_matches(recognizer, value):
            continue
        if any(value_matches(by_type(t), value) for t in recognizer.excludes):
            continue
        return recognizer.pi_type
    return None
