"""The engine's errors are templates filled from their values, so that the dock and the toolbox can
show them in QGIS's language: each one's fields are given, and the English text reads as before."""
import ast
import glob
import os
import re
import string
import sys

import pytest

from plugin.core.errors import RegistrationError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import update_translations  # noqa: E402


def fields(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def error_calls():
    for path in sorted(glob.glob(os.path.join(ROOT, "plugin", "core", "*.py"))) + [os.path.join(ROOT, "plugin", "web_layers.py")]:
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and update_translations._called(node) in update_translations.ERRORS:
                yield f"{os.path.relpath(path, ROOT)}:{node.lineno}", node


def test_no_engine_error_is_built_in_place():
    """An f-string or a concatenation cannot be translated: every message and fix is a template."""
    assert update_translations.unfilled_errors() == []


def test_every_field_of_an_error_template_is_given():
    checked = 0
    for where, call in error_calls():
        given = {keyword.arg for keyword in call.keywords}
        if None in given:  # **values passed on
            continue
        for argument in call.args[:2]:
            for template in update_translations._template_literals(argument) or ():
                if given:
                    assert fields(template) <= given, f"{where}: {template!r} needs {fields(template) - given}"
                else:  # not formatted: a field would be shown as it is written
                    assert not fields(template) and "{{" not in template, f"{where}: {template!r} has fields but no values"
                checked += 1
    assert checked > 100


def test_the_english_text_is_the_filled_template_and_a_cause_gives_its_message():
    cause = RegistrationError("PROJ knows no way from '{source}'.", "Reproject one.", source="site grid")
    error = RegistrationError("'{path}' cannot be written there: {reason}", "Write it elsewhere ({option}).", path="a {b}.tif",
                              reason=cause, option="--elsewhere")
    assert str(error) == "'a {b}.tif' cannot be written there: PROJ knows no way from 'site grid'. Write it elsewhere (--elsewhere)."
    assert error.message == "'a {b}.tif' cannot be written there: PROJ knows no way from 'site grid'."
    assert RegistrationError("Braces {{z}} stay single when filled: {n}.", n=1).message == "Braces {z} stay single when filled: 1."
    assert RegistrationError("Not filled: {z} as written.").message == "Not filled: {z} as written."


def test_translated_fills_each_translated_template_and_translates_marked_values():
    german = {"'{path}' cannot be written there: {reason}": "'{path}' kann dort nicht geschrieben werden: {reason}",
              "PROJ knows no way from '{source}'.": "PROJ kennt keinen Weg von '{source}'.",
              "--elsewhere": "--anderswo"}
    cause = RegistrationError("PROJ knows no way from '{source}'.", "Reproject one.", source="site grid")
    error = RegistrationError("'{path}' cannot be written there: {reason}", "Write it elsewhere ({option}).", path="x.tif",
                              reason=cause, option="--elsewhere")
    assert error.translated(lambda text: german.get(text, text)) == (
        "'x.tif' kann dort nicht geschrieben werden: PROJ kennt keinen Weg von 'site grid'. Write it elsewhere (--anderswo).")


@pytest.mark.parametrize("language", ["de"])
def test_every_translation_has_its_sources_fields(language):
    """A German template missing a field, or naming another, would raise instead of showing the error."""
    translations = update_translations.read_ts(os.path.join(ROOT, "i18n", f"sar_optical_registration_{language}.ts"))
    wrong = [source for source, translated in translations.items() if translated and
             sorted(name for _, name, _, _ in string.Formatter().parse(source) if name is not None) !=
             sorted(name for _, name, _, _ in string.Formatter().parse(translated) if name is not None)]
    assert wrong == []
    printf = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdgfr%]")  # a logged warning's fields, filled in order
    assert [source for source, translated in translations.items() if translated and printf.findall(source) != printf.findall(translated)] == []
