"""The identifier checks of :mod:`datadeed.identifiers` as SQL expressions (sqlglot).

The scanner runs these instead of the engines' Python UDFs: the same rules (GB 11643
province, real birth date and check character; GB 32100 check character; Luhn), computed
column-wise by the engine itself, so a full scan costs no Python call per value and runs
on Spark without Python workers. The inputs have already matched the recognizer's
pattern (right length, digits where digits belong); the tests compare every count with
the Python functions on the evaluation set and on random near-misses.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from datadeed import identifiers

__all__ = ["luhn_valid", "resident_id_valid", "uscc_valid"]

_RESIDENT_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def _n(value: int) -> exp.Expr:
    return exp.Literal.number(value)


def _s(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def _char(text: exp.Expr, position: exp.Expr | int) -> exp.Expr:
    start = _n(position) if isinstance(position, int) else position
    return exp.Substring(this=text, start=start, length=_n(1))


def _int(e: exp.Expr) -> exp.Expr:
    return exp.TryCast(this=e, to=exp.DataType.build("int"), safe=True)


def _digits_int(text: exp.Expr, start: int, length: int) -> exp.Expr:
    return _int(exp.Substring(this=text, start=_n(start), length=_n(length)))


def _sum(terms: list[exp.Expr]) -> exp.Expr:
    total = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return exp.Paren(this=total)


def _case(condition: exp.Expr, then: exp.Expr, otherwise: exp.Expr) -> exp.Expr:
    return exp.Case(ifs=[exp.If(this=condition, true=then)], default=otherwise)


def _mod(e: exp.Expr, n: int) -> exp.Expr:
    return exp.Paren(this=exp.Mod(this=exp.Paren(this=e), expression=_n(n)))


def _eq(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.EQ(this=a, expression=b)


def _days_in_month(year: exp.Expr, month: exp.Expr) -> exp.Expr:
    leap = exp.or_(
        exp.and_(_eq(_mod(year, 4), _n(0)), exp.NEQ(this=_mod(year, 100), expression=_n(0))),
        _eq(_mod(year, 400), _n(0)),
        copy=False,
    )
    february = _case(leap, _n(29), _n(28))
    # 31 for months 1,3,5,7,8,10,12; 30 otherwise: 30 + (month + [month >= 8]) mod 2.
    late = _case(exp.GTE(this=month, expression=_n(8)), _n(1), _n(0))
    other = exp.Add(this=_n(30), expression=_mod(exp.Add(this=month, expression=late), 2))
    return _case(_eq(month, _n(2)), february, other)


def _int_div(n: exp.Expr, divisor: int) -> exp.Expr:
    return exp.IntDiv(this=n, expression=_n(divisor)) if divisor != 1 else n


def resident_id_valid(text: exp.Expr, today: date) -> exp.Expr:
    """GB 11643 for an 18-character number: province, real birth date, check character.

    The first 17 digits are read as one BIGINT and taken apart with integer division
    (column-wise and fast); only the check character is compared as text."""
    body = exp.TryCast(
        this=exp.Substring(this=text, start=_n(1), length=_n(17)),
        to=exp.DataType.build("bigint"),
        safe=True,
    )
    provinces = [_n(int(p)) for p in sorted(identifiers.PROVINCE_CODES)]
    province = exp.In(this=_int_div(body, 10**15), expressions=provinces)
    born = _mod(_int_div(body, 1000), 10**8)  # YYYYMMDD
    year, month, day = _int_div(born, 10**4), _mod(_int_div(born, 100), 100), _mod(born, 100)
    today_int = int(today.strftime("%Y%m%d"))
    real_date = exp.and_(
        exp.Between(this=month, low=_n(1), high=_n(12)),
        exp.Between(this=day, low=_n(1), high=_days_in_month(year, month)),
        exp.Between(this=born, low=_n(19000101), high=_n(today_int)),
        copy=False,
    )
    terms: list[exp.Expr] = [
        exp.Mul(this=_mod(_int_div(body, 10 ** (16 - i)), 10), expression=_n(w))
        for i, w in enumerate(_RESIDENT_WEIGHTS)
    ]
    expected = _char(_s("10X98765432"), exp.Add(this=_mod(_sum(terms), 11), expression=_n(1)))
    check = _eq(exp.Upper(this=_char(text, 18)), expected)
    return exp.and_(province, real_date, check, copy=False)


def uscc_valid(text: exp.Expr) -> exp.Expr:
    """GB 32100 check character over the 31-symbol set."""
    charset = _s(identifiers.USCC_CHARSET)

    def value(position: int) -> exp.Expr:
        found = exp.StrPosition(this=charset, substr=_char(text, position))
        return exp.Paren(this=exp.Sub(this=found, expression=_n(1)))

    total = _sum(
        [exp.Mul(this=value(i + 1), expression=_n(w)) for i, w in enumerate(_USCC_WEIGHTS)]
    )
    index = _mod(exp.Sub(this=_n(31), expression=_mod(total, 31)), 31)
    return _eq(_char(text, 18), _char(charset, exp.Add(this=index, expression=_n(1))))


def luhn_valid(text: exp.Expr, max_length: int = 19) -> exp.Expr:
    """Luhn over the digits of ``text`` after removing spaces and hyphens.

    The digits are read as one BIGINT (the recognizers' patterns allow at most 19 digits
    starting 2-6, below 2^63) and taken apart with integer division, which engines
    compute column-wise far faster than per-character string functions."""
    digits = exp.Replace(
        this=exp.Replace(this=text, expression=_s(" "), replacement=_s("")),
        expression=_s("-"),
        replacement=_s(""),
    )
    number = exp.TryCast(this=digits, to=exp.DataType.build("bigint"), safe=True)
    terms: list[exp.Expr] = []
    for k in range(max_length):  # k-th digit from the right, 0-based
        shifted = exp.IntDiv(this=number, expression=_n(10**k)) if k else number
        d: exp.Expr = _mod(shifted, 10)
        if k % 2 == 1:  # every second digit from the right is doubled
            over = exp.Cast(this=exp.GTE(this=d, expression=_n(5)), to=exp.DataType.build("int"))
            d = exp.Paren(
                this=exp.Sub(
                    this=exp.Mul(this=d, expression=_n(2)),
                    expression=exp.Mul(this=_n(9), expression=over),
                )
            )
        terms.append(d)
    return _eq(_mod(_sum(terms), 10), _n(0))
