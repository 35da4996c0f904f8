"""Message ids the registry pages translate from data (states, actions, kinds, checklist
items), declared so that message extraction finds them. Chinese in registry.po."""

from __future__ import annotations


def N_(message: str) -> str:
    return message


REGISTRY_TERMS = (
    # states
    N_("draft"),
    N_("submitted"),
    N_("returned"),
    N_("accepted"),
    N_("formal_review"),
    N_("substantive_review"),
    N_("public_notice"),
    N_("objection_review"),
    N_("registered"),
    N_("refused"),
    # actions
    N_("save"),
    N_("submit"),
    N_("accept"),
    N_("return"),
    N_("refuse_acceptance"),
    N_("assign"),
    N_("pass_formal"),
    N_("publish_notice"),
    N_("refuse"),
    N_("file_objection"),
    N_("uphold_objection"),
    N_("dismiss_objection"),
    N_("register"),
    # audit actions
    N_("application.submit"),
    N_("application.accept"),
    N_("application.return"),
    N_("application.refuse_acceptance"),
    N_("application.assign"),
    N_("application.pass_formal"),
    N_("application.publish_notice"),
    N_("application.refuse"),
    N_("application.file_objection"),
    N_("application.uphold_objection"),
    N_("application.dismiss_objection"),
    N_("application.register"),
    # tracks, objects, rights, sources
    N_("data_property"),
    N_("data_ip"),
    N_("data_resource"),
    N_("data_product"),
    N_("data_asset"),
    N_("public_data"),
    N_("hold"),
    N_("use"),
    N_("operate"),
    N_("self_produced"),
    N_("public_collection"),
    N_("public_authorisation"),
    N_("co_production"),
    N_("purchase"),
    N_("other"),
    # objections
    N_("pending"),
    N_("upheld"),
    N_("dismissed"),
    N_("closed"),
)
