"""The strings of the phone page's networking (static/js/people.js), kept apart from the other pages' strings, and
the keys the phone page needs at all (its modules' ``t("…")``; tests/test_networking.py checks the list)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

NETWORKING_STRINGS = {
    "met_empty": _l("The people at your table appear here once a round has started."),
    "met_where": _l("Round {rounds} · Table {tables}"),
    "offers": _l("Offers: {text}"),
    "seeks": _l("Seeks: {text}"),
    "connect": _l("Connect"),
    "accept": _l("Accept"),
    "decline": _l("Decline"),
    "withdraw": _l("Withdraw"),
    "remove_connection": _l("Remove"),
    "request_sent": _l("Request sent"),
    "wants_to_connect": _l("Wants to connect with you"),
    "is_connected": _l("Connected"),
    "add_contact": _l("Add to address book"),
    "no_contact_shared": _l("Connected — this person does not share contact details."),
    "connections_empty": _l("No connections yet. Tap “Connect” next to someone you met."),
    "directory_none": _l("Nobody found."),
    "directory_count": _l("{total} listed"),
    "more": _l("More"),
    "profile_saved": _l("Your profile is saved."),
    "confirm_erase": _l(
        "Erase your data from this event? Your profile, contact details and connections are deleted and this page "
        "stops working. Your notes stay, without your name. This cannot be undone."
    ),
    "erased": _l("Your data has been erased. You can close this page."),
    "connection_failed": _l("That did not work: {message}"),
}

# The participant's phone page gets only these (participant.js and the modules it imports): the whole catalogue is
# 15 KB of every page, most of it the console's.
PHONE_KEYS = (
    "connected", "connecting", "offline", "error", "table", "round_of", "round_n", "next_round_label", "checked_in",
    "no_seat", "not_seated", "first_table", "move_now", "scan_to_check_in", "waiting_title", "waiting_from",
    "waiting_soon", "event_over", "harvest_now", "paused", "left", "time_up", "two_minutes_left",
    "last_two_minutes", "note_sent", "vote_title", "votes_left", "vote_less", "vote_more", "your_dots", "close",
    "email",
    "colour_blue", "colour_orange", "colour_green", "colour_purple", "colour_red", "colour_sky", "colour_pink",
    "colour_yellow", "colour_teal", "colour_brown", "colour_navy", "colour_grey",
    *NETWORKING_STRINGS,
)
