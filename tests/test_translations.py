"""The German catalogue: complete, placeholder-safe, compiled, covering every UI string, and served.

When a test here fails after you added or changed a UI string, run ``make translations``, translate the new
entries in ``worldcafe/translations/de/LC_MESSAGES/messages.po`` and run ``make translations`` again (it
recompiles the ``.mo``, which is committed so that a plain install needs no build step).
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
BABEL_CFG = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "worldcafe" / "translations"
DE_PO = TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po"
DE_MO = TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}  # as `pybabel extract -k _l` in the Makefile

# printf-style (%(name)s, %s, %%) and str.format / JS-style ({n}, {total}) placeholders.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"
    r"|\{\w*(?:![rsa])?(?::[^{}]*)?\}"
)


# ---------------------------------------------------------------------------------------------- helpers


def load_po(path: Path = DE_PO) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale="de")


def key(msgid: str | tuple[str, ...]) -> str:
    """A catalogue key: the singular for plural messages."""
    return msgid[0] if isinstance(msgid, tuple) else msgid


def as_tuple(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def messages(catalog: Catalog) -> list[Message]:
    """The real messages (not the header entry)."""
    return [message for message in catalog if message.id]


def placeholders(text: str) -> Counter[str]:
    """Each placeholder in ``text``, with a stray ``%`` (which breaks %-formatting) counted as ``"%"``."""
    found = Counter(PLACEHOLDER.findall(text))
    stray = PLACEHOLDER.sub("", text).count("%")
    if stray:
        found["%"] += stray
    return found


def untranslated_problems(catalog: Catalog) -> list[str]:
    """Messages with an empty msgstr (any plural form) or marked fuzzy."""
    problems = []
    for message in messages(catalog):
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(form.strip() for form in as_tuple(message.string)):
            problems.append(f"untranslated: {message.id!r}")
    return problems


def placeholder_problems(catalog: Catalog) -> list[str]:
    """Messages whose msgstr does not carry exactly the placeholders of its msgid."""
    problems = []
    for message in messages(catalog):
        ids = as_tuple(message.id)
        # For plurals, compare every form with the plural msgid (singular forms may drop the count).
        expected = placeholders(ids[-1])
        for form in as_tuple(message.string):
            if not form:
                continue  # reported by untranslated_problems
            got = placeholders(form)
            if got != expected and not (len(ids) > 1 and got == placeholders(ids[0])):
                problems.append(
                    f"{message.id!r}: msgid has {sorted(expected.elements())}, "
                    f"msgstr {form!r} has {sorted(got.elements())}"
                )
    return problems


def mo_catalog(path: Path) -> dict[object, str]:
    """The compiled messages; the header (msgid "") is left out: it names the Babel version that compiled it."""
    with path.open("rb") as fh:
        catalog = dict(gettext.GNUTranslations(fh)._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)
    return catalog


def compiled(po: Path, out_dir: Path) -> Path:
    """Compile ``po`` as `pybabel compile` does (fuzzy entries left out)."""
    target = out_dir / "messages.mo"
    with target.open("wb") as fh:
        write_mo(fh, load_po(po), use_fuzzy=False)
    return target


def extracted_msgids(root: Path = ROOT) -> dict[str, list[str]]:
    """Every translatable string in the code and templates now → where it occurs (babel.cfg's mapping)."""
    with BABEL_CFG.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(BABEL_CFG))
    found: dict[str, list[str]] = {}
    for filename, lineno, msgid, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault(key(msgid), []).append(f"{filename}:{lineno}")
    return found


def missing_from(catalog: Catalog, extracted: dict[str, list[str]]) -> list[str]:
    return sorted(
        f"{msgid!r} ({', '.join(where)})" for msgid, where in extracted.items() if catalog.get(msgid) is None
    )


# ---------------------------------------------------------------------------------------------- catalogue


def test_every_message_is_translated_and_none_is_fuzzy():
    catalog = load_po()
    assert len(messages(catalog)) > 50, "the German catalogue looks empty"
    problems = untranslated_problems(catalog)
    assert not problems, "German catalogue incomplete:\n" + "\n".join(problems)


def test_placeholders_match():
    problems = placeholder_problems(load_po())
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_committed_mo_matches_po(tmp_path):
    assert DE_MO.is_file(), f"{DE_MO} is missing: run `make translations` and commit it"
    expected = mo_catalog(compiled(DE_PO, tmp_path))
    committed = mo_catalog(DE_MO)
    differing = sorted(
        repr(k) for k in expected.keys() | committed.keys() if expected.get(k) != committed.get(k)
    )
    assert not differing, (
        "messages.mo is out of date with messages.po (run `pybabel compile -d "
        "worldcafe/translations` and commit it); differing entries:\n" + "\n".join(differing)
    )


def test_every_ui_string_is_in_the_german_catalogue():
    extracted = extracted_msgids()
    assert "Create event" in extracted, "extraction found nothing: check babel.cfg"
    assert not any(".venv" in where for places in extracted.values() for where in places)
    missing = missing_from(load_po(), extracted)
    assert not missing, (
        "UI strings missing from the German catalogue (run `make translations` and "
        "translate them):\n" + "\n".join(missing)
    )


# ------------------------------------------------------------------------------------- the checks can fail


def test_the_checks_catch_broken_catalogues(tmp_path):
    catalog = Catalog(locale="de")
    catalog.add("Round {n} of {total}", "Runde {n} von {totl}")
    catalog.add("Hello, %(name)s", "Hallo")
    catalog.add("Save", "")
    catalog.add("Saved", "Gespeichert", flags=["fuzzy"])
    catalog.add("Done", "100 % fertig")
    catalog.add("Fine {n}", "Gut {n}")

    assert untranslated_problems(catalog) == ["untranslated: 'Save'", "fuzzy: 'Saved'"]
    broken = placeholder_problems(catalog)
    assert [line.split(":")[0] for line in broken] == [
        "'Round {n} of {total}'",
        "'Hello, %(name)s'",
        "'Done'",
    ]
    assert missing_from(catalog, {"Fine {n}": ["x.py:1"], "New": ["templates/x.html:3"]}) == [
        "'New' (templates/x.html:3)"
    ]

    # A .mo compiled from an older .po is caught.
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "Save"\nmsgstr "Speichern"\n',
        encoding="utf-8",
    )
    old = mo_catalog(compiled(po, tmp_path))
    po.write_text(po.read_text(encoding="utf-8").replace("Speichern", "Sichern"), encoding="utf-8")
    assert mo_catalog(compiled(po, tmp_path)) != old


def test_extraction_finds_a_new_string(tmp_path):
    (tmp_path / "babel.cfg").write_text(BABEL_CFG.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "new.html").write_text("<p>{{ _('A brand-new button') }}</p>", encoding="utf-8")
    (tmp_path / "worldcafe").mkdir()
    (tmp_path / "worldcafe" / "new.py").write_text("X = _l('A brand-new label')\n", encoding="utf-8")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "dep.py").write_text("_('Not ours')\n", encoding="utf-8")
    found = extracted_msgids(tmp_path)
    assert set(found) == {"A brand-new button", "A brand-new label"}
    assert missing_from(load_po(), found) == [
        "'A brand-new button' (templates/new.html:1)",
        "'A brand-new label' (worldcafe/new.py:1)",
    ]


# ---------------------------------------------------------------------------------------------- the app


@pytest.fixture
def app(tmp_path, monkeypatch):
    from worldcafe import create_app
    from worldcafe.extensions import db

    monkeypatch.setenv("WORLDCAFE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    yield app
    with app.app_context():
        db.engine.dispose()


def home(app, **kwargs) -> str:
    """The start page from a fresh client (a ``?lang=`` cookie from an earlier request must not leak in)."""
    response = app.test_client().get(kwargs.pop("path", "/"), **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_home_page_in_german_by_query_parameter(app):
    page = home(app, path="/?lang=de")
    assert '<html lang="de">' in page
    assert "Veranstaltung erstellen" in page
    assert "Create event" not in page


def test_home_page_follows_the_browser_language(app):
    german = home(app, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="de">' in german
    assert "Veranstaltung erstellen" in german
    assert "Create event" not in german

    english = home(app, headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english
    assert "Create event" in english
    assert "Veranstaltung erstellen" not in english


def test_language_cookie_overrides_the_browser(app):
    client = app.test_client()
    client.get("/?lang=de")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Veranstaltung erstellen" in page


def test_counted_js_strings_come_in_both_forms_in_both_languages(app):
    from worldcafe.web.i18n import JS_STRINGS, _n, js_strings

    counted = [key for key, value in JS_STRINGS.items() if isinstance(value, _n)]
    assert {"imported", "lines_ok", "outbox", "q_needs"} <= set(counted)
    with app.test_request_context("/?lang=en"):
        english = js_strings()
    with app.test_request_context("/?lang=de"):
        german = js_strings()
    assert english["imported"] == {"one": "{n} person imported", "other": "{n} people imported"}
    assert german["imported"] == {"one": "{n} Person importiert", "other": "{n} Personen importiert"}
    for key in counted:
        assert set(german[key]) == {"one", "other"} and german[key] != english[key], key
        assert all(placeholders(german[key][form]) == placeholders(english[key][form]) for form in ("one", "other"))
