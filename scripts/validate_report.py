#!/usr/bin/python3
"""Validate mlff-bench JSON documents against a JSON Schema (Debian's python3-jsonschema).

usage: validate_report.py SCHEMA.json FILE.json [FILE.json ...]
Prints one line per file and exits non-zero if any file is invalid.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in argv[2:]:
        with open(path) as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            bad += 1
            for e in errors[:10]:
                where = "/".join(str(p) for p in e.path)
                print(f"{path}: invalid at /{where}: {e.message}")
        else:
            print(f"{path}: valid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
