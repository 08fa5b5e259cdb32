"""Baselines: record today's findings, hide exactly those later.

A finding's fingerprint is its code, its file and the normalised text of the offending
statement, plus which occurrence of that statement it is: edits elsewhere in the file and
shifted lines keep it, while a new offending statement gets a new fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter

VERSION = 1


class BaselineError(Exception):
    pass


def _key(path: str) -> str:
    return os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")


def fingerprints(findings) -> list[str]:
    seen: Counter = Counter()
    out = []
    for f in findings:
        base = (f.code, _key(f.path), f.snippet or f.message)
        seen[base] += 1
        raw = "\0".join([*base, str(seen[base])])
        out.append(hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24])
    return out


def write(path: str, findings, results=None) -> None:
    entries = [{"fingerprint": fp, "code": f.code, "path": _key(f.path), "line": f.span.line,
                "message": f.message} for fp, f in zip(fingerprints(findings), findings)]
    data = {"version": VERSION, "tool": "migrate-lint", "findings": entries}
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)


def filter_known(path: str, findings, results=None):
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        known = {entry["fingerprint"] for entry in data["findings"]}
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BaselineError(f"{path}: not a migrate-lint baseline ({exc})") from None
    return [f for fp, f in zip(fingerprints(findings), findings) if fp not in known]
