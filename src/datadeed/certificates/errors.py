"""Certificate errors (codes are stable; see errors.py for the tree they hang from).

NotFound            404
├── CertificateNotFound         certificate_not_found
└── LicenceNotFound             licence_not_found
PermissionDenied    403
└── NotCertificateHolder        not_certificate_holder
Conflict            409
├── CertificateEncumbered       certificate_encumbered
├── TransferPending             transfer_pending
├── CancellationPending         cancellation_pending
├── CancellationClosed          cancellation_closed (already decided or withdrawn)
├── LicenceConflict             licence_conflict (an exclusive or sole licence overlaps)
├── RightLicensed               right_licensed (a correction would drop a licensed right)
└── CertificateChanged          certificate_changed (lost a race with another writer)
"""

from __future__ import annotations

from datadeed.errors import Conflict, NotFound, PermissionDenied


class CertificateNotFound(NotFound):
    code = "certificate_not_found"
    title = "Certificate not found"

    def __init__(self, number: str) -> None:
        super().__init__(f"no certificate numbered {number!r}", certificate_no=number)


class NotCertificateHolder(PermissionDenied):
    code = "not_certificate_holder"
    title = "Not the certificate holder"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"your organization does not hold certificate {number}", certificate_no=number
        )


class CertificateEncumbered(Conflict):
    code = "certificate_encumbered"
    title = "Certificate encumbered"

    def __init__(self, number: str, pledge_id: int | None = None) -> None:
        super().__init__(
            f"certificate {number} is pledged: it cannot be transferred or cancelled "
            "without the pledgee's consent",
            certificate_no=number,
            pledge_id=pledge_id,
        )


class TransferPending(Conflict):
    code = "transfer_pending"
    title = "Transfer pending"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"a transfer of certificate {number} is already waiting for acceptance",
            certificate_no=number,
        )


class CancellationPending(Conflict):
    code = "cancellation_pending"
    title = "Cancellation pending"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"the holder has asked to cancel certificate {number}; the registrar decides first",
            certificate_no=number,
        )


class CertificateChanged(Conflict):
    code = "certificate_changed"
    title = "Certificate changed meanwhile"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"certificate {number} was changed by someone else at the same time; "
            "reload it and try again",
            certificate_no=number,
        )


class CancellationClosed(Conflict):
    code = "cancellation_closed"
    title = "Cancellation already decided"

    def __init__(self, number: str, outcome: str) -> None:
        super().__init__(
            f"the cancellation request of certificate {number} was already {outcome}",
            certificate_no=number,
            outcome=outcome,
        )


class LicenceNotFound(NotFound):
    code = "licence_not_found"
    title = "Licence not found"

    def __init__(self, licence_no: str) -> None:
        super().__init__(f"no licence numbered {licence_no!r}", licence_no=licence_no)


class LicenceConflict(Conflict):
    code = "licence_conflict"
    title = "Licence conflict"

    def __init__(self, number: str, licence_no: str, right: str) -> None:
        super().__init__(
            f"licence {licence_no} of certificate {number} already covers the {right!r} right "
            "over an overlapping term, and an exclusive or sole licence admits no other",
            certificate_no=number,
            conflicting_licence=licence_no,
            right=right,
        )


class RightLicensed(Conflict):
    code = "right_licensed"
    title = "Right licensed"

    def __init__(self, number: str, licence_no: str, right: str) -> None:
        super().__init__(
            f"licence {licence_no} of certificate {number} covers the {right!r} right: "
            "the holder ends that licence before the right can be corrected away",
            certificate_no=number,
            licence_no=licence_no,
            right=right,
        )
