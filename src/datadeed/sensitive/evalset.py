"""A labelled evaluation set for the recognizers, generated deterministically.

Synthetic but realistic Chinese records: each value carries the column it sits in and
its true PI type (or None). Near-misses are labelled None: 18-digit order numbers,
resident IDs with a wrong check character, an impossible birth date or an unknown
province, card numbers failing Luhn, phone-like product codes, dates that are not
birth dates (an order date column), malformed e-mails, IPs and MACs, plates with
letters that plates never use, credit codes with a wrong check character.

``python -m datadeed.sensitive.evalset`` prints the precision/recall table that
docs/sensitive.md shows (a test checks the two agree).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from datadeed import identifiers
from datadeed.sensitive.recognizers import RECOGNIZERS, classify_value

__all__ = ["Labelled", "Score", "evaluate", "generate", "markdown_table", "report"]

SEED = 20261129
PER_KIND = 400


@dataclass(frozen=True)
class Labelled:
    column: str
    value: str
    label: str | None


@dataclass(frozen=True)
class Score:
    pi_type: str
    support: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建国志文斌鹏宇浩然梓涵子轩一诺欣怡"
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
_CITIES = [
    ("浙江省", "杭州市", ["滨江区", "西湖区", "余杭区", "上城区"]),
    ("江苏省", "南京市", ["鼓楼区", "玄武区", "江宁区"]),
    ("广东省", "深圳市", ["南山区", "福田区", "宝安区"]),
    ("四川省", "成都市", ["武侯区", "锦江区", "高新区"]),
    ("", "北京市", ["朝阳区", "海淀区", "东城区"]),
    ("", "上海市", ["浦东新区", "徐汇区", "静安区"]),
]
_ROADS = ["江南大道", "文三路", "中山路", "人民路", "解放街", "建国路", "长江路", "科技园路"]
_PROVINCES = sorted(identifiers.PROVINCE_CODES - {"71", "81", "82", "83"})
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_MOBILE_PREFIXES = ["130", "135", "138", "139", "150", "157", "176", "186", "188", "199"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _birth(rng: random.Random, lo: int = 1940, hi: int = 2019) -> date:
    return date(lo, 1, 1) + timedelta(days=rng.randrange((date(hi, 12, 31) - date(lo, 1, 1)).days))


def _resident_body(rng: random.Random) -> str:
    division = rng.choice(_PROVINCES) + _digits(rng, 4)
    return division + _birth(rng).strftime("%Y%m%d") + _digits(rng, 3)


def _resident_id(rng: random.Random) -> str:
    body = _resident_body(rng)
    return body + identifiers.resident_id_check_char(body)


def _resident_wrong_check(rng: random.Random) -> str:
    body = _resident_body(rng)
    good = identifiers.resident_id_check_char(body)
    return body + rng.choice([c for c in "0123456789X" if c != good])


def _resident_bad_date(rng: random.Random) -> str:
    body = (
        rng.choice(_PROVINCES)
        + _digits(rng, 4)
        + f"19{rng.randrange(50, 99)}1{rng.choice('3456789')}15"
        + _digits(rng, 3)
    )
    return body + identifiers.resident_id_check_char(body)


def _resident_bad_province(rng: random.Random) -> str:
    body = rng.choice(["00", "19", "29", "39", "49", "58", "68", "77", "88", "99"]) + _digits(
        rng, 4
    )
    body += _birth(rng).strftime("%Y%m%d") + _digits(rng, 3)
    return body + identifiers.resident_id_check_char(body)


def _order_no(rng: random.Random) -> str:
    return f"2026{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}" + _digits(rng, 10)


def _card(rng: random.Random) -> str:
    body = rng.choice(["622202", "621700", "622848", "623058", "625965", "436742", "524094"])
    body += _digits(rng, rng.choice([9, 12]))
    card = body + identifiers.luhn_check_digit(body)
    return card if rng.random() < 0.8 else " ".join(card[i : i + 4] for i in range(0, len(card), 4))


def _card_bad_luhn(rng: random.Random) -> str:
    body = "6222" + _digits(rng, 14)
    good = identifiers.luhn_check_digit(body)
    return body + rng.choice([c for c in "0123456789" if c != good])


def _mobile(rng: random.Random) -> str:
    number = rng.choice(_MOBILE_PREFIXES) + _digits(rng, 8)
    style = rng.randrange(4)
    if style == 1:
        return "+86 " + number
    if style == 2:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return number


def _product_code(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 4:
        return rng.choice(_MOBILE_PREFIXES) + _digits(rng, 8)  # exactly a mobile's shape
    if kind == 0:
        return "1" + rng.choice("012") + _digits(rng, 9)  # 11 digits, not 13–19
    if kind == 1:
        return rng.choice(_MOBILE_PREFIXES) + _digits(rng, 9)  # 12 digits
    if kind == 2:
        return "SKU" + rng.choice(_MOBILE_PREFIXES) + _digits(rng, 8)
    return rng.choice(_MOBILE_PREFIXES) + _digits(rng, 7)  # 10 digits


def _landline(rng: random.Random) -> str:
    area = rng.choice(["010", "021", "0571", "0755", "028", "025"])
    local = rng.choice("2345678") + _digits(rng, 7 if len(area) == 3 else rng.choice([6, 7]))
    return f"({area}){local}" if rng.random() < 0.2 else f"{area}-{local}"


def _email(rng: random.Random) -> str:
    user = rng.choice(["zhang", "li.na", "wang_wei", "chen88", "liuyang", "sun.li"]) + _digits(
        rng, 3
    )
    return f"{user}@{rng.choice(['163.com', 'qq.com', 'example.cn', 'corp.com.cn', 'gmail.com'])}"


def _email_bad(rng: random.Random) -> str:
    return rng.choice(["zhang@localhost", "li.na at 163.com", "@qq.com", "wang@163", "sun..li@"])


def _ipv4(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(256)) for _ in range(4))


def _ipv4_bad(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        rest = ".".join(str(rng.randrange(256)) for _ in range(3))
        return f"{rng.randrange(256, 999)}.{rest}"
    if kind == 1:
        return f"{rng.randrange(10)}.{rng.randrange(10)}.{rng.randrange(10)}"  # a version
    return ".".join(str(rng.randrange(256)) for _ in range(5))


def _ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randrange(65536):x}" for _ in range(8)]
    if rng.random() < 0.5:
        return ":".join(groups)
    return ":".join(groups[:3]) + "::" + groups[7]


def _mac(rng: random.Random) -> str:
    parts = [f"{rng.randrange(256):02X}" for _ in range(6)]
    return rng.choice([":", "-"]).join(parts)


def _mac_bad(rng: random.Random) -> str:
    return ":".join(f"{rng.randrange(256):02X}" for _ in range(5))


def _imei(rng: random.Random) -> str:
    body = rng.choice(["35", "86", "01", "99"]) + _digits(rng, 12)
    return body + identifiers.luhn_check_digit(body)


def _imei_bad(rng: random.Random) -> str:
    body = "86" + _digits(rng, 12)
    good = identifiers.luhn_check_digit(body)
    return body + rng.choice([c for c in "0123456789" if c != good])


def _passport(rng: random.Random) -> str:
    return (
        rng.choice(["E", "G"]) + _digits(rng, 8)
        if rng.random() < 0.7
        else "E" + rng.choice("ABCDFGH") + _digits(rng, 7)
    )


def _permit(rng: random.Random) -> str:
    return rng.choice(["C", "H", "M", "T"]) + _digits(rng, 8)


def _plate(rng: random.Random) -> str:
    province, letter = rng.choice(_PLATE_PROVINCES), rng.choice(_PLATE_LETTERS)
    if rng.random() < 0.25:
        return (
            province
            + letter
            + rng.choice("DF")
            + rng.choice(_PLATE_LETTERS + "0123456789")
            + _digits(rng, 4)
        )
    return (
        province
        + letter
        + "".join(rng.choice(_PLATE_LETTERS[:8] + "0123456789") for _ in range(4))
        + _digits(rng, 1)
    )


def _plate_bad(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return rng.choice(_PLATE_PROVINCES) + "I" + _digits(rng, 5)  # I is never used
    if kind == 1:
        return "AB" + _digits(rng, 5)
    return rng.choice(_PLATE_PROVINCES) + rng.choice(_PLATE_LETTERS) + _digits(rng, 3)


def _account(rng: random.Random) -> str:
    return rng.choice(["1202", "3100", "1001", "7311"]) + _digits(rng, rng.choice([13, 15]))


def _name(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(["欧阳", "司马", "诸葛"]) + rng.choice(_GIVEN)
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice([1, 2])))


def _address(rng: random.Random) -> str:
    province, city, districts = rng.choice(_CITIES)
    return f"{province}{city}{rng.choice(districts)}{rng.choice(_ROADS)}{rng.randrange(1, 999)}号"


def _gps(rng: random.Random) -> str:
    return f"{rng.uniform(18, 53):.6f},{rng.uniform(73, 135):.6f}"


def _birth_text(rng: random.Random) -> str:
    d = _birth(rng)
    return d.strftime(rng.choice(["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y年%m月%d日"]))


def _uscc(rng: random.Random) -> str:
    body = (
        "91"
        + rng.choice(_PROVINCES)
        + _digits(rng, 4)
        + "".join(rng.choice(identifiers.USCC_CHARSET) for _ in range(9))
    )
    return identifiers.make_uscc(body)


def _uscc_bad(rng: random.Random) -> str:
    good = _uscc(rng)
    return good[:17] + rng.choice([c for c in identifiers.USCC_CHARSET if c != good[17]])


Gen = Callable[[random.Random], str]
# (column, generator, label, share of the column's values)
_COLUMNS: list[tuple[str, list[tuple[Gen, str | None, float]]]] = [
    (
        "身份证号",
        [
            (_resident_id, "resident_id", 0.7),
            (_resident_wrong_check, None, 0.1),
            (_resident_bad_date, None, 0.1),
            (_resident_bad_province, None, 0.1),
        ],
    ),
    ("订单号", [(_order_no, None, 1.0)]),
    ("银行卡号", [(_card, "bank_card", 0.8), (_card_bad_luhn, None, 0.2)]),
    ("手机号", [(_mobile, "mobile", 1.0)]),
    ("商品编码", [(_product_code, None, 1.0)]),
    ("联系电话", [(_landline, "landline", 1.0)]),
    ("邮箱", [(_email, "email", 0.85), (_email_bad, None, 0.15)]),
    ("登录IP", [(_ipv4, "ipv4", 0.6), (_ipv6, "ipv6", 0.25), (_ipv4_bad, None, 0.15)]),
    ("设备MAC", [(_mac, "mac", 0.85), (_mac_bad, None, 0.15)]),
    ("IMEI", [(_imei, "imei", 0.8), (_imei_bad, None, 0.2)]),
    ("护照号码", [(_passport, "passport", 1.0)]),
    ("港澳通行证", [(_permit, "travel_permit", 1.0)]),
    ("车牌号", [(_plate, "vehicle_plate", 0.8), (_plate_bad, None, 0.2)]),
    ("银行账号", [(_account, "bank_account", 1.0)]),
    ("姓名", [(_name, "person_name", 1.0)]),
    ("收货地址", [(_address, "address", 1.0)]),
    ("定位坐标", [(_gps, "gps", 1.0)]),
    ("出生日期", [(_birth_text, "birth_date", 1.0)]),
    ("下单日期", [(_birth_text, None, 1.0)]),
    ("统一社会信用代码", [(_uscc, "uscc", 0.8), (_uscc_bad, None, 0.2)]),
]


_PLACEHOLDERS = ["无", "N/A", "-", "未知", "待补充", "0", "测试", "null", "保密"]


def generate(seed: int = SEED, per_column: int = PER_KIND) -> list[Labelled]:
    """The labelled values, the same for the same seed; each column also gets a few
    placeholders (``无``, ``N/A``, ``待补充`` …) that are not personal information."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    out: list[Labelled] = []
    for column, parts in _COLUMNS:
        for gen, label, share in parts:
            out.extend(Labelled(column, gen(rng), label) for _ in range(round(per_column * share)))
        out.extend(
            Labelled(column, rng.choice(_PLACEHOLDERS), None) for _ in range(per_column // 20)
        )
    return out


def evaluate(values: list[Labelled], *, use_columns: bool = True) -> dict[str, Score]:
    """Precision and recall per PI type of :func:`classify_value` on ``values``; with
    ``use_columns=False`` the column names are withheld (values alone)."""
    counts = {r.pi_type: [0, 0, 0, 0] for r in RECOGNIZERS}  # support, tp, fp, fn
    for item in values:
        predicted = classify_value(item.value, item.column if use_columns else None)
        if item.label is not None:
            counts[item.label][0] += 1
        if predicted is not None and predicted == item.label:
            counts[predicted][1] += 1
            continue
        if predicted is not None:
            counts[predicted][2] += 1
        if item.label is not None:
            counts[item.label][3] += 1
    return {t: Score(t, *c) for t, c in counts.items() if c[0] or c[2]}


def markdown_table(scores: dict[str, Score]) -> str:
    """The table docs/sensitive.md shows."""
    validated = {r.pi_type for r in RECOGNIZERS if r.validated}
    lines = [
        "| recognizer | validated | values | TP | FP | FN | precision | recall |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t, s in scores.items():
        mark = "yes" if t in validated else "no (heuristic)"
        lines.append(
            f"| {t} | {mark} | {s.support} | {s.tp} | {s.fp} | {s.fn} "
            f"| {s.precision:.3f} | {s.recall:.3f} |"
        )
    return "\n".join(lines)


def report() -> str:
    """Both tables, as docs/sensitive.md shows them."""
    data = generate()
    return (
        f"{len(data)} labelled values, seed {SEED}.\n\n"
        f"With the column names:\n\n{markdown_table(evaluate(data))}\n\n"
        "Values alone (no column names):\n\n"
        f"{markdown_table(evaluate(data, use_columns=False))}\n"
    )


if __name__ == "__main__":
    print(report(), end="")
