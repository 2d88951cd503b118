"""Fill the Japanese catalogue from a dictionary file: python scripts/fill_ja.py TRANSLATIONS.py

Reports any message that is still untranslated so nothing ships in English by accident.
"""

import runpy
import sys

import polib

catalogue = polib.pofile("locale/ja/LC_MESSAGES/django.po")
source = runpy.run_path(sys.argv[1]) if len(sys.argv) > 1 else {"JA": {}, "PLURALS": {}}
for entry in catalogue:
    if "fuzzy" in entry.flags:
        # A guess from a similar message is not a translation: start it afresh.
        entry.flags.remove("fuzzy")
        entry.msgstr = ""
        entry.msgstr_plural = {0: ""} if entry.msgid_plural else {}
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    if entry.msgid_plural:
        if entry.msgid in source.get("PLURALS", {}):
            entry.msgstr_plural = {0: source["PLURALS"][entry.msgid]}
    elif entry.msgctxt and (entry.msgctxt, entry.msgid) in source.get("CTX", {}):
        entry.msgstr = source["CTX"][(entry.msgctxt, entry.msgid)]
    elif not entry.msgctxt and entry.msgid in source.get("JA", {}):
        entry.msgstr = source["JA"][entry.msgid]
catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
catalogue.metadata["Language"] = "ja"
catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
catalogue.save()
missing = [e.msgid for e in catalogue if not (e.msgstr or any(e.msgstr_plural.values()))]
for msgid in missing:
    print("untranslated:", msgid)
sys.exit(1 if missing else 0)
