"""Creating one key (`c` in the keys screen), recorded as a roll's steps are.

The intent is on disk before the POST leaves; the answer's token is handed back to be shown once
(never written to the log). A lost answer or a 5xx may have made a key nobody can use: it is
found and revoked (`orphans.py`). A refusal comes back as a sentence naming what to change or
who may do it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import BadResponse, LangWatchError, ServerError, TransportError
from lwadmin_tui.api.new_key import CreatedKey, NewKey
from lwadmin_tui.audit.log import safe
from lwadmin_tui.roll.orphans import Orphans, said
from lwadmin_tui.roll.records import RollAudit
from lwadmin_tui.roll.refusals import refusal
from lwadmin_tui.settings.files import os_reason
from lwadmin_tui.text import safe_text


@dataclass(frozen=True)
class CreateResult:
    created: CreatedKey | None
    message: str = ""
    """Why nothing usable was made (and what became of a key made anyway)."""


async def create_one(client: LangWatchClient, audit: RollAudit, new: NewKey) -> CreateResult:
    """Raises OSError when the audit log cannot be written before the POST (nothing sent)."""
    try:
        known = {key.id for key in await client.list_keys()}
    except LangWatchError as error:
        return CreateResult(None, f"could not list the keys first: {said(error)}")
    await audit.save("create_intent", new_name=safe(new.name), key_type=new.key_type)
    result = await _create(client, audit, new, known)
    outcome = "created" if result.created is not None else "create_failed"
    fields: dict[str, object] = {"new_name": safe(new.name)}
    if result.created is not None:
        fields["new_id"] = result.created.key_id
    else:
        fields["why"] = safe_text(result.message, 300)
    try:
        await audit.save(outcome, **fields)
    except OSError as error:  # the key exists (or not) whatever the log says: say it all
        warning = f"the audit log could not record it ({os_reason(error)})"
        return CreateResult(result.created, f"{result.message}; {warning}".lstrip("; "))
    return result


async def _create(
    client: LangWatchClient, audit: RollAudit, new: NewKey, known: set[str]
) -> CreateResult:
    try:
        created = await client.create_key(new)
    except (TransportError, ServerError, BadResponse) as error:
        sent = not isinstance(error, TransportError) or error.maybe_sent
        refused = isinstance(error, BadResponse) and 300 <= error.status < 500
        if not sent or refused:
            return CreateResult(None, f"not created: {said(error)}")
        made_id = error.made_id if isinstance(error, BadResponse) else None
        return await _lost(client, audit, new, known, said(error), made_id)
    except LangWatchError as error:
        return CreateResult(None, refusal(error))
    if created.key_id in known:  # it names a key that existed before: not ours to show
        return await _lost(client, audit, new, known, "it named a key that already existed")
    return CreateResult(created)


async def _lost(
    client: LangWatchClient,
    audit: RollAudit,
    new: NewKey,
    known: set[str],
    why: str,
    made_id: str | None = None,
) -> CreateResult:
    lost = f"the create's answer was lost ({why})"
    try:
        orphans = Orphans(client, audit.save, known)
        cleanup = await orphans.after_lost_create(new, lost, made_id)
    except OSError as error:
        return CreateResult(
            None,
            f"{lost}; the audit log could not be written ({os_reason(error)}): look for a key "
            f"named {safe(new.name)!r} in LangWatch and revoke it",
        )
    if cleanup is not None:
        return CreateResult(None, cleanup.message)
    return CreateResult(
        None,
        f"{lost}; no key named {safe(new.name)!r} is in this credential's list. A personal "
        "credential lists its own user's keys only: if it made the key for someone else, look "
        "for it in LangWatch and revoke it",
    )
