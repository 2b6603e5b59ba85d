"""vCards (3.0, which every phone's address book reads) of my connections who share their contact data."""

from __future__ import annotations

import vobject
from flask_babel import gettext as _

from .networking import Contact


def _where(event_name: str, contact: Contact) -> str:
    """Where we met, for the card's note: "Met at Café 2026: round 1, table 3 (Future of work)"."""
    places = "; ".join(
        _("round %(round)s, table %(table)s", round=number, table=table) + (f" ({topic})" if topic else "")
        for number, table, topic in contact.places
    )
    if places:
        return _("Met at %(event)s: %(places)s", event=event_name, places=places)
    return _("Connected at %(event)s", event=event_name)


def vcard(contact: Contact, event_name: str) -> str:
    """One person's vCard: name, organisation, role, email, phone, website and where we met."""
    card = vobject.vCard()
    card.add("fn").value = contact.name
    # N is required in vCard 3.0; a display name is not reliably "given family", so the whole name is the family.
    card.add("n").value = vobject.vcard.Name(family=contact.name)
    if contact.organisation:
        card.add("org").value = [contact.organisation]
    if contact.role:
        card.add("title").value = contact.role
    if contact.email:
        email = card.add("email")
        email.value = contact.email
        email.type_param = "INTERNET"
    if contact.phone:
        phone = card.add("tel")
        phone.value = contact.phone
        phone.type_param = "CELL"
    if contact.website:
        card.add("url").value = contact.website
    card.add("note").value = _where(event_name, contact)
    return str(card.serialize())


def vcards(contacts: list[Contact], event_name: str) -> str:
    """Several vCards in one file (an address book imports them all at once)."""
    return "".join(vcard(contact, event_name) for contact in contacts)


def filename(name: str) -> str:
    """A safe file name for a download: letters, digits and dashes."""
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:60]
    return slug or "contacts"
