"""The strings of the console's harvest panel (static/js/harvest.js), kept apart from the other pages' strings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .i18n import _n

HARVEST_STRINGS = {
    "harvest_loading": _l("Working out the themes…"),
    "n_tables": _n("{n} table", "{n} tables"),
    "n_rounds": _n("{n} round", "{n} rounds"),
    "n_notes": _n("{n} note", "{n} notes"),
    "n_votes": _n("{n} vote", "{n} votes"),
    "theme_rename": _l("Rename"),
    "theme_new_name": _l("New name for {label}"),
    "theme_renamed": _l("Theme renamed."),
    "theme_was_renamed": _l("renamed"),
    "theme_merge": _l("Merge into…"),
    "theme_merge_into": _l("Merge {label} into another theme"),
    "theme_merged": _l("Themes merged."),
    "theme_hide": _l("Hide"),
    "theme_hidden": _l("Theme hidden."),
    "theme_show": _l("Show again"),
    "theme_shown": _l("Theme shown again."),
    "theme_unmerge": _l("Separate again"),
    "theme_unmerged": _l("Themes separated again."),
    "theme_edits": _l("Hidden and merged"),
    "theme_is_hidden": _l("{label} is hidden"),
    "theme_is_merged": _l("{key} counts as {into}"),
    "no_themes_yet": _l("No recurring themes yet."),
    "no_candidates": _l("No starred notes or insights yet: star notes in the list below."),
    "shortlist_none": _n("Phones vote on every starred note and insight ({n}).",
                         "Phones vote on every starred note and insight ({n})."),
    "shortlist_some": _n("Phones vote on the {n} note you chose.", "Phones vote on the {n} notes you chose."),
    "shortlist_save": _l("Vote on the ticked notes"),
    "shortlist_clear": _l("Vote on every starred note"),
    "shortlist_saved": _n("The phones now vote on {n} note.", "The phones now vote on {n} notes."),
    "shortlist_cleared": _l("The phones vote on every starred note and insight again."),
    "votes_open": _n("Voting is open: {n} dot so far.", "Voting is open: {n} dots so far."),
    "votes_closed": _n("Voting opens with the harvest; {n} dot so far.",
                       "Voting opens with the harvest; {n} dots so far."),
}
