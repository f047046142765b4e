"""Strict FHIR check of served responses with fhir.resources (pinned in scripts/setup.sh).

Reads JSON lines from stdin, each {"label": "...", "body": {...}}, validates each body with
fhir.resources.R4B's model for its resourceType (R4B's classes accept R4 content), and prints
one JSON line per response: {"label", "resourceType", "ok", "error"}. Exit status 0 always; the
caller (tests/node/strict.test.mjs) turns each line into a test.
"""
import json
import sys

from fhir.resources.R4B import get_fhir_model_class


def check(body):
    rt = body.get("resourceType") if isinstance(body, dict) else None
    if not rt:
        return None, "no resourceType"
    try:
        get_fhir_model_class(rt).model_validate(body)
    except Exception as e:  # pydantic.ValidationError, KeyError for an unknown type
        return rt, str(e)
    return rt, None


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        item = json.loads(line)
        rt, error = check(item["body"])
        print(json.dumps({"label": item["label"], "resourceType": rt, "ok": error is None, "error": error}), flush=True)


if __name__ == "__main__":
    main()
