"""Validate the organization gazetteer (solidarity_graph/extract/data/gazetteer/*.yaml).

Usage: python scripts/check_gazetteer.py [GAZETTEER_DIR]

Checks every entry for: unique ids, known kinds, valid ISO 3166-1 alpha-2
country codes, existing parents (and no parent cycles), non-empty names,
string lists for aliases/acronyms/weak, and a few style rules (no bare
all-lowercase aliases, acronyms without spaces). Prints coverage counts and
exits non-zero on any error or when the coverage floor is not met.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pycountry
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "solidarity_graph" / "extract" / "data" / "gazetteer"
EXPECTED_FILES = {
    "global.yaml",
    "americas.yaml",
    "europe.yaml",
    "asia_pacific.yaml",
    "africa_middle_east.yaml",
    "employers.yaml",
    "states.yaml",
}

KINDS = {
    "global_union_federation",
    "international_confederation",
    "regional_confederation",
    "union_federation",
    "union",
    "local",
    "regional_council",
    "ngo",
    "coalition",
    "media",
    "intergovernmental",
    "employer",
    "government",
    "military",
    "embassy",
    "legislature",
    "party",
    "fund",
}
NON_LABOR = {
    "employer",
    "government",
    "military",
    "embassy",
    "legislature",
    "party",
    "media",
    "intergovernmental",
    "fund",
}
STATE_KINDS = {"government", "military", "embassy", "legislature", "party"}
UNION_KINDS = {"union_federation", "union", "local", "regional_council"}
ALLOWED_KEYS = {
    "id",
    "name",
    "kind",
    "country",
    "parent",
    "aliases",
    "acronyms",
    "weak",
    "located_in",
}
LIST_KEYS = ("aliases", "acronyms", "weak")
ID_RE = re.compile(r"^[a-z0-9_]+$")
LOWER_WORDS_RE = re.compile(r"^[a-z][a-z ]*$")
REPORT_COUNTRIES = ["US", "CA", "MX", "BR", "GB", "FR", "IT", "DE", "JP", "KR", "PH", "IN", "ZA", "AU"]

MIN_LABOR = 300
MIN_EMPLOYERS = 50
MIN_CENTRE_COUNTRIES = 60


def load(directory: Path) -> tuple[list[tuple[str, dict]], list[str]]:
    errors: list[str] = []
    entries: list[tuple[str, dict]] = []
    files = sorted(directory.glob("*.yaml"))
    missing = EXPECTED_FILES - {f.name for f in files}
    for name in sorted(missing):
        errors.append(f"missing file {name}")
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            errors.append(f"{path.name}: YAML error: {exc}")
            continue
        if data is None:
            data = []
        if not isinstance(data, list):
            errors.append(f"{path.name}: top level must be a list")
            continue
        for i, entry in enumerate(data):
            if not isinstance(entry, dict):
                errors.append(f"{path.name}[{i}]: entry is not a mapping")
                continue
            entries.append((path.name, entry))
    return entries, errors


def check(entries: list[tuple[str, dict]]) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    ids: dict[str, str] = {}
    for fname, e in entries:
        where = f"{fname}:{e.get('id', '?')}"
        eid = e.get("id")
        if not isinstance(eid, str) or not ID_RE.match(eid):
            errors.append(f"{where}: bad id {eid!r}")
        elif eid in ids:
            errors.append(f"{where}: duplicate id (also in {ids[eid]})")
        else:
            ids[eid] = fname
        for key in e:
            if key not in ALLOWED_KEYS:
                errors.append(f"{where}: unknown key {key!r}")
        name = e.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: empty or non-string name {name!r}")
        if e.get("kind") not in KINDS:
            errors.append(f"{where}: bad kind {e.get('kind')!r}")
        if "country" in e:
            cc = e["country"]
            if not isinstance(cc, str) or len(cc) != 2 or pycountry.countries.get(alpha_2=cc) is None:
                errors.append(f"{where}: bad country code {cc!r}")
        if "located_in" in e and (not isinstance(e["located_in"], str) or not e["located_in"].strip()):
            errors.append(f"{where}: bad located_in {e['located_in']!r}")
        for key in LIST_KEYS:
            value = e.get(key, [])
            if value is None:
                value = []
            if not isinstance(value, list):
                errors.append(f"{where}: {key} must be a list")
                continue
            seen: set[str] = set()
            for item in value:
                if not isinstance(item, str) or not item.strip():
                    errors.append(f"{where}: {key} item {item!r} is not a non-empty string")
                    continue
                if item != item.strip():
                    errors.append(f"{where}: {key} item {item!r} has surrounding whitespace")
                if item in seen:
                    errors.append(f"{where}: duplicate {key} item {item!r}")
                seen.add(item)
                if key == "aliases" and LOWER_WORDS_RE.match(item):
                    errors.append(f"{where}: all-lowercase alias {item!r} (move it to weak)")
                if key == "acronyms" and " " in item:
                    errors.append(f"{where}: acronym with a space {item!r}")
        # the canonical name need not be repeated as an alias
        if isinstance(name, str) and name in (e.get("aliases") or []):
            warnings.append(f"{where}: name repeated in aliases")

    # parents exist and form no cycles
    by_id = {e["id"]: e for _, e in entries if isinstance(e.get("id"), str)}
    for fname, e in entries:
        parent = e.get("parent")
        if parent is None:
            continue
        where = f"{fname}:{e.get('id')}"
        if parent not in by_id:
            errors.append(f"{where}: parent {parent!r} does not exist")
            continue
        seen_ids = {e.get("id")}
        cur = parent
        while cur is not None:
            if cur in seen_ids:
                errors.append(f"{where}: parent cycle through {cur!r}")
                break
            seen_ids.add(cur)
            cur = by_id.get(cur, {}).get("parent")

    # same full name/alias used by two entries of the same country: likely a duplicate org
    surface: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for _, e in entries:
        for s in [e.get("name")] + list(e.get("aliases") or []):
            if isinstance(s, str):
                surface[(s.casefold(), e.get("country"))].append(str(e.get("id")))
    for (s, cc), owners in sorted(surface.items(), key=lambda kv: (str(kv[0][1]), kv[0][0])):
        if len(set(owners)) > 1:
            errors.append(f"name/alias {s!r} ({cc}) shared by {sorted(set(owners))}")
    return errors, warnings


def report(entries: list[tuple[str, dict]]) -> dict[str, int]:
    orgs = [e for _, e in entries]
    labor = [e for e in orgs if e.get("kind") not in NON_LABOR]
    employers = [e for e in orgs if e.get("kind") == "employer"]
    states = [e for e in orgs if e.get("kind") in STATE_KINDS]
    centres = {e.get("country") for e in orgs if e.get("kind") == "union_federation" and e.get("country")}
    per_file = Counter(f for f, _ in entries)
    per_kind = Counter(e.get("kind") for e in orgs)
    union_by_country = Counter(e.get("country") for e in labor if e.get("kind") in UNION_KINDS)

    print("entries per file:")
    for f, n in sorted(per_file.items()):
        print(f"  {f:28s} {n}")
    print("entries per kind:")
    for k, n in sorted(per_kind.items(), key=lambda kv: -kv[1]):
        print(f"  {k:28s} {n}")
    print(f"total entries:                      {len(orgs)}")
    print(f"labor organizations:                {len(labor)}")
    print(f"employers:                          {len(employers)}")
    print(f"states (gov/mil/embassy/leg/party): {len(states)}")
    print(f"countries with a national centre:   {len(centres)}")
    print("unions (federation/union/local/council) per country:")
    print("  " + "  ".join(f"{cc}={union_by_country.get(cc, 0)}" for cc in REPORT_COUNTRIES))
    return {
        "labor": len(labor),
        "employers": len(employers),
        "centres": len(centres),
    }


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    entries, errors = load(directory)
    more, warnings = check(entries)
    errors += more
    counts = report(entries)
    if counts["labor"] < MIN_LABOR:
        errors.append(f"only {counts['labor']} labor organizations (< {MIN_LABOR})")
    if counts["employers"] < MIN_EMPLOYERS:
        errors.append(f"only {counts['employers']} employers (< {MIN_EMPLOYERS})")
    if counts["centres"] < MIN_CENTRE_COUNTRIES:
        errors.append(f"only {counts['centres']} countries with a national centre (< {MIN_CENTRE_COUNTRIES})")
    for w in warnings:
        print(f"warning: {w}")
    for err in errors:
        print(f"ERROR: {err}", file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s)", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
