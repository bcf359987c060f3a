"""Regenerate docs/api.md's endpoint tables from the OpenAPI spec: `python docs/gen_api_md.py`."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribe.settings")

import django  # noqa: E402

django.setup()
from tribe.api.urls import api  # noqa: E402

DOC = Path(__file__).with_name("api.md")
MARKER = "This table is generated from the OpenAPI spec (`python docs/gen_api_md.py`)."

rows: dict[str, list] = {}
for path, ops in api.get_openapi_schema()["paths"].items():
    for method, op in ops.items():
        tag = (op.get("tags") or ["other"])[0]
        rows.setdefault(tag, []).append((path.replace("/api/v1", ""), method.upper(), op.get("summary", ""),
                                         bool(op.get("security"))))
head = DOC.read_text(encoding="utf-8").split(MARKER)[0]
out = [head + MARKER, ""]
for tag in sorted(rows):
    out += [f"## {tag}", "", "| method | path | what | auth |", "|---|---|---|---|"]
    out += [f"| {m} | `{p}` | {s} | {'yes' if sec else ''} |" for p, m, s, sec in rows[tag]]
    out.append("")
DOC.write_text("\n".join(out), encoding="utf-8")
print(f"{sum(len(v) for v in rows.values())} operations written to {DOC}")
