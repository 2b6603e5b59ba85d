"""Language choice (``?lang=`` → cookie → browser) and the strings the JavaScript needs, translated."""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l

LANGUAGES = ("de", "en")
LANG_COOKIE = "wc_lang"


def select_locale() -> str:
    """The page language: an explicit choice, else the browser's preference, else English (also outside requests)."""
    if not has_request_context():
        return "en"
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


# Strings the browser code shows; rendered into each page as JSON so the JS needs no translation files.
JS_STRINGS = {
    "connected": _l("Live"),
    "connecting": _l("Connecting…"),
    "offline": _l("Offline — changes are kept and sent when the connection is back"),
    "saved": _l("Saved"),
    "saving": _l("Saving…"),
    "error": _l("Something went wrong"),
    "joined": _l("joined"),
    "connected_people": _l("connected"),
    "round_of": _l("Round {n} of {total}"),
    "table": _l("Table"),
    "tables": _l("Tables"),
    "source_api": _l("API"),
    "source_import": _l("list import"),
    "source_join": _l("joined by QR code"),
    "source_moderator": _l("moderator"),
    "no_seat": _l("Your table will appear here when the moderator starts the round."),
    "remove": _l("Remove"),
    "add_round": _l("Add round"),
    "add_topic": _l("Add topic"),
    "add_table": _l("Add table"),
    "minutes": _l("minutes"),
    "topic": _l("Topic"),
    "question": _l("Question"),
    "colour": _l("Colour"),
    "capacity": _l("Seats"),
    "host": _l("Host"),
    "title": _l("Title"),
    "none": _l("(none)"),
    "confirm_remove_person": _l("Remove {name} from the event?"),
    "confirm_regenerate": _l("Make a new link? The old link stops working at once."),
    "lines_ok": _l("{n} people ready to import"),
    "lines_bad": _l("{bad} of {total} lines need fixing — nothing was imported"),
    "imported": _l("{n} people imported"),
    "added": _l("{name} added"),
    "joining_open": _l("Joining is open"),
    "joining_closed": _l("Joining is closed"),
    "open_joining": _l("Open joining"),
    "close_joining": _l("Close joining"),
    "line": _l("Line"),
    "name": _l("Name"),
    "group": _l("Group"),
    "email": _l("Email"),
    "problem": _l("Problem"),
    "tables_for_topic": _l("Tables for this topic"),
    "people": _l("people"),
    "status_setup": _l("Setup"),
    "status_ready": _l("Ready"),
    "status_running": _l("Round running"),
    "status_paused": _l("Paused"),
    "status_moving": _l("Between rounds"),
    "status_harvest": _l("Harvest"),
    "status_closed": _l("Closed"),
    "plan_none": _l("Not planned yet. Planning takes a second and can be repeated at any time."),
    "plan_done": _l("Plan published"),
    "plan_again": _l("Plan again"),
    "planning": _l("Planning…"),
    "q_no_repeats": _l("Nobody meets anyone twice."),
    "q_repeats": _l("{n} pairs meet more than once (at least {bound} cannot be avoided)."),
    "q_topics": _l("Everyone sees {k} different topics."),
    "q_topic_repeats": _l("{n} visits repeat a topic someone already had."),
    "q_mixed": _l("Every table mixes {groups}."),
    "q_not_mixed": _l("{n} table rounds are not mixed as evenly as the groups allow."),
    "q_sizes": _l("Table sizes differ by at most one."),
    "q_sizes_bad": _l("Table sizes differ by up to {n}."),
    "q_overflow": _l("{n} seats over capacity."),
    "q_needs": _l("{n} people sit where their needs are not met."),
    "q_avoid": _l("{n} pairs who should not meet do meet."),
    "q_time": _l("Planned in {ms} ms."),
    "round_n": _l("Round {n}"),
    "and": _l("and"),
    "empty_table": _l("(empty)"),
    "colour_blue": _l("blue"),
    "colour_orange": _l("orange"),
    "colour_green": _l("green"),
    "colour_purple": _l("purple"),
    "colour_red": _l("red"),
    "colour_sky": _l("sky blue"),
    "colour_pink": _l("pink"),
    "colour_yellow": _l("yellow"),
    "colour_teal": _l("teal"),
    "colour_brown": _l("brown"),
    "colour_navy": _l("navy"),
    "colour_grey": _l("grey"),
}


def js_strings() -> dict[str, str]:
    """The JS strings in the current language."""
    return {key: str(value) for key, value in JS_STRINGS.items()}
