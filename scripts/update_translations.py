"""Collects the user-visible strings of the plugin's dock and Processing algorithms -- the literal
arguments of ``tr(...)``, the message and fix templates of the engine's ``RegistrationError(...)``
(and ``template(...)``) and the formats of its ``LOGGER.warning(...)`` -- into the Qt Linguist
sources ``i18n/sar_optical_registration_<lang>.ts``, keeping existing translations and marking new
strings unfinished; then ``lrelease`` compiles them to ``.qm``.

    python scripts/update_translations.py            # update every i18n/*.ts
    python scripts/update_translations.py --check    # fail when a dock string is missing or untranslated
    python scripts/update_translations.py --new fr   # start a new language
"""
from __future__ import annotations

import argparse
import ast
import glob
import os
import sys
import xml.etree.ElementTree as ElementTree
from typing import Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ("plugin/gui", "plugin/processing", "plugin/tie_point_source.py", "plugin/web_layers.py", "plugin/core")  # collected into the .ts files
STRICT = ("plugin/gui", "plugin/tie_point_source.py")  # --check fails unless every string from here is translated
CONTEXT = "SarOpticalRegistration"
PREFIX = "sar_optical_registration_"


ERRORS = ("RegistrationError", "FirstPassRefused")  # the engine's errors: their message and fix templates are collected too


def _called(node: ast.Call) -> str:
    return getattr(node.func, "id", None) or getattr(node.func, "attr", None) or ""


def _tr_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and _called(node) == "tr":
            yield node


def _error_templates(tree: ast.AST):
    """The message and fix arguments of every RegistrationError(...) (literals, or not), and
    the templates kept aside in tables, marked template(...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) in ERRORS:
            yield from node.args[:2]
        elif isinstance(node, ast.Call) and _called(node) == "template" and node.args:
            yield node.args[0]
        elif isinstance(node, ast.Call) and _called(node) == "warning" and getattr(node.func, "value", None) is not None \
                and getattr(node.func.value, "id", "") == "LOGGER" and node.args:  # the engine's warnings: the dock shows them
            yield node.args[0]


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _template_literals(node: ast.AST):
    """The literal templates an error's argument may be: itself, or each branch of ``a if c else b``;
    None where one of them is built in place."""
    if isinstance(node, ast.IfExp):
        body, orelse = _template_literals(node.body), _template_literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return [node.value] if _is_literal(node) else None


def _python_files(roots):
    for root in roots:
        paths = [os.path.join(ROOT, root)] if root.endswith(".py") else glob.glob(os.path.join(ROOT, root, "**", "*.py"), recursive=True)
        yield from ((root, path) for path in sorted(paths))


def unfilled_errors(roots=("plugin/core",)) -> List[str]:
    """Where the engine builds an error's message or fix in place (an f-string, a concatenation)
    instead of a template filled from its values: that text cannot be translated."""
    found = []
    for _, path in _python_files(roots):
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
        found += [f"{os.path.relpath(path, ROOT)}:{node.lineno}" for node in _error_templates(tree)
                  if _template_literals(node) is None and not isinstance(node, (ast.Name, ast.Subscript))]  # a table of template(...)
    return found


def collect_strings(roots=SOURCES) -> List[str]:
    """Every literal passed to tr() or self.tr(), in first-seen order. A formatted string inside
    tr() is an error (translate the template, then .format() it); a plain name is a wrapper
    forwarding its argument and is skipped."""
    found: Dict[str, None] = {}
    for root, path in _python_files(roots):
        try:
            tree = ast.parse(open(path, encoding="utf-8").read(), path)
        except SyntaxError as error:
            if root in STRICT:
                raise
            print(f"skipped {path}: {error}", file=sys.stderr)
            continue
        for node in _tr_calls(tree):
            argument = node.args[0]
            if _is_literal(argument):
                found.setdefault(argument.value, None)
            elif not isinstance(argument, ast.Name):
                raise SystemExit(f"{path}:{node.lineno}: tr() needs a string literal (use .format() after tr)")
        for argument in _error_templates(tree):  # RegistrationError(message, fix, **values): translated by the front ends
            for template in _template_literals(argument) or ():
                if any(character.isalpha() for character in template.replace("%s", "")):  # not a bare "%s" passing a text on
                    found.setdefault(template, None)
    return list(found)


def read_ts(path: str) -> Dict[str, str]:
    """source -> translation ("" when unfinished)."""
    if not os.path.exists(path):
        return {}
    translations = {}
    for message in ElementTree.parse(path).getroot().iter("message"):
        element = message.find("translation")
        done = element is not None and element.get("type") not in ("unfinished", "obsolete")
        translations[message.findtext("source")] = (element.text or "") if done else ""
    return translations


def write_ts(path: str, language: str, strings: List[str], translations: Dict[str, str]) -> None:
    root = ElementTree.Element("TS", version="2.1", language=language)
    context = ElementTree.SubElement(root, "context")
    ElementTree.SubElement(context, "name").text = CONTEXT
    for source in strings:
        message = ElementTree.SubElement(context, "message")
        ElementTree.SubElement(message, "source").text = source
        translation = ElementTree.SubElement(message, "translation")
        if translations.get(source):
            translation.text = translations[source]
        else:
            translation.set("type", "unfinished")
    ElementTree.indent(root)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        handle.write(ElementTree.tostring(root, encoding="unicode") + "\n")


def ts_files() -> List[str]:
    return sorted(glob.glob(os.path.join(ROOT, "i18n", f"{PREFIX}*.ts")))


def check() -> int:
    """Fails when a string of STRICT is missing or untranslated; lists the others' gaps."""
    strict, everything = collect_strings(STRICT), collect_strings()
    problems, notes = [], []
    for path in ts_files():
        translations = read_ts(path)
        name = os.path.basename(path)
        problems += [f"{name}: not translated: {s!r}" for s in strict if not translations.get(s)]
        notes += [f"{name}: not translated yet (shown in English): {s!r}" for s in everything if s not in strict and not translations.get(s)]
    print("\n".join(notes + problems) or f"{len(everything)} strings, all translated in {len(ts_files())} file(s)")
    if problems:
        print("run `make translations`, then translate the strings marked unfinished in i18n/*.ts", file=sys.stderr)
    return 1 if problems else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--new", metavar="LANG", help="create i18n/sar_optical_registration_LANG.ts")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    strings = collect_strings()
    paths = ts_files()
    if args.new:
        paths.append(os.path.join(ROOT, "i18n", f"{PREFIX}{args.new}.ts"))
    for path in paths:
        language = os.path.basename(path)[len(PREFIX):-3]
        write_ts(path, language, strings, read_ts(path))
        print(f"{os.path.relpath(path, ROOT)}: {len(strings)} strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
