"""How long a certificate is valid, per profile (DOMAIN.md §1.2–§1.4, §12). Pure.

* ``national`` (default): 3 years for every track, renewable. Beijing data-IP rules art. 13
  and the public-data measures say 3 years [R]; the data-property period is the same [I].
* ``jinan``: the Jinan draft gives data-property certificates 1 year, +1 year per
  renewal [R]; other tracks keep 3 years [I].

A data-IP certificate over data held under an agreement ends no later than the agreement
(Beijing art. 13) [R]. Validity runs from the date of the registration announcement when
there was one (Beijing), else from the issue date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datadeed.certificates.numbering import Track
from datadeed.errors import InvalidInput


@dataclass(frozen=True)
class ValidityProfile:
    name: str
    years: dict[Track, int]

    def term(self, track: Track) -> int:
        return self.years[track]


PROFILES = {
    "national": ValidityProfile(
        "national", {Track.DATA_PROPERTY: 3, Track.DATA_IP: 3, Track.PUBLIC_DATA: 3}
    ),
    "jinan": ValidityProfile(
        "jinan", {Track.DATA_PROPERTY: 1, Track.DATA_IP: 3, Track.PUBLIC_DATA: 3}
    ),
}


def profile(name: str) -> ValidityProfile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise InvalidInput(f"unknown validity profile {name!r}; known: {known}") from None


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def valid_to(
    track: Track, valid_from: dt.date, years: int, agreement_ends_on: dt.date | None = None
) -> dt.date:
    """Last day of validity: ``years`` from ``valid_from``, minus one day, capped for data IP
    at the end of the underlying agreement."""
    last = add_years(valid_from, years) - dt.timedelta(days=1)
    if agreement_ends_on is not None and track is Track.DATA_IP:
        if agreement_ends_on < valid_from:
            raise InvalidInput("the underlying agreement ended before the certificate starts")
        last = min(last, agreement_ends_on)
    return last


def renewed_to(current_to: dt.date, today: dt.date, years: int) -> dt.date:
    """A renewal adds one term after the current end (or after today, once lapsed)."""
    start = max(current_to, today - dt.timedelta(days=1)) + dt.timedelta(days=1)
    return add_years(start, years) - dt.timedelta(days=1)
