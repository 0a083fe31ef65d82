"""report.html: the behaviour report as one self-contained page (no network, opens from disk).

Areas are sections, scenarios rows, browser x cookie profile columns; a cell's colour is what the
page could do (read, opaque, blocked) or, where the page reads nothing, whether good's cookies or
the state change got through. A click shows the expectation's why, the reasons and the evidence.
The page is rendered by its own small script from the report's JSON, embedded in it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corsproof import report


def label(behaviour: dict[str, Any], kind: str = "") -> str:
    """A cell's short text: what the page saw, else what got through to good; a theft that read
    good's answer with the victim's cookies is a LEAK, as the terminal and the README say it."""
    if behaviour.get("error"):
        return "error"
    if kind == "Theft" and behaviour["page"] == "read" and behaviour["cookies"]:
        return "LEAK"
    done = ", carried out" if behaviour["transfers"] else ""
    if behaviour["page"] is not None:
        return str(behaviour["page"]) + (" +cookie" if behaviour["cookies"] else "") + done
    if behaviour["transfers"]:
        return "carried out"
    count = len(behaviour["cookies"])
    return f"{count} cookie{'s' if count != 1 else ''}" if count else "no cookie"


# The words of the two kinds of report: the suite's (what browsers do with corsproof's own sites)
# and an audit's (what other sites can do to the team's app). Count names are the summary's keys.
SUITE_WORDS = {
    "title": "corsproof: what browsers do",
    "heading": "corsproof: what browsers do, and why",
    "counts": {"scenarios": "scenarios", "cells": "cells", "disagreements": "disagreements", "failures": "failures"},
    "only_failed": "only failures",
    "failed_frame": "a red frame: the expectation failed",
    "reached": "What reached good, and what good answered",
}
AUDIT_WORDS = {
    "title": "corsproof audit",
    "heading": "corsproof audit: can other sites read your users' data?",
    "counts": {
        "scenarios": "origin and request groups",
        "cells": "verdicts",
        "disagreements": "where the browsers disagree",
        "failures": "leaks",
    },
    "only_failed": "only leaks",
    "failed_frame": "a red frame: a LEAK (or a request that could not be observed)",
    "reached": "What reached the app, and what it answered",
}


def audit_context(
    app: str, trusted: list[str], proofs: list[dict[str, Any]], notes: list[str], verdicts: dict[str, str]
) -> dict[str, Any]:
    """What an audit's page shows above its table: the app, the origins it trusts, the proof of the
    set-up per browser and profile, and each cell's verdict in the terminal's words (key:
    "scenario|browser|profile")."""
    return {"app": app, "trusted": trusted, "proofs": proofs, "notes": notes, "verdicts": verdicts}


def view(
    data: dict[str, Any],
    changed: Mapping[tuple[str, str, str, str], str] | None = None,
    audit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the page's script renders: the report plus each cell's label and marks, the words of
    its kind, and "changed since the baseline" only where there was a baseline."""
    differ = report.disagreements(data["cells"])
    cells = [
        {
            **row,
            "label": label(row["behaviour"], row["kind"]),
            "disagree": (row["area"], row["scenario"], row["profile"]) in differ,
            "changed": report.key(row) in (changed or {}),
            # What changed, baseline -> now (corsproof diff's line).
            "change": (changed or {}).get(report.key(row)),
        }
        for row in data["cells"]
    ]
    words = AUDIT_WORDS if audit is not None else SUITE_WORDS
    order = data.get("areas", [])
    findings = _findings(cells, differ, order)
    if audit is not None:
        for cell in cells:
            cell["label"] = audit["verdicts"].get(
                f"{cell['scenario']}|{cell['browser']}|{cell['profile']}", cell["label"]
            )
    return {
        **data,
        "cells": cells,
        "changed": None if changed is None else len(changed),
        "words": words,
        "audit": audit,
        "findings": findings,
        "area_order": order,
    }


def _row_id(cell: dict[str, Any]) -> str:
    return f"{cell['area']}/{cell['scenario']}"


def _findings(cells: list[dict[str, Any]], differ: set[tuple[str, str, str]], order: list[str]) -> list[dict[str, str]]:
    """The page's opening list, one sentence a finding, each linked to its row: where the browsers
    disagree (with what differs, where the labels alone look alike), each leak, each change since
    the baseline."""
    by_where: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for cell in cells:
        by_where.setdefault((cell["area"], cell["scenario"], cell["profile"]), []).append(cell)
    said: list[dict[str, str]] = []
    for where in sorted(differ, key=lambda w: (_area_rank(w[0], order), w[1], w[2])):
        lanes = sorted(by_where[where], key=lambda c: c["browser"])
        what = ", ".join(f"{c['browser'].capitalize()} {c['label']}" for c in lanes)
        if len({c["label"] for c in lanes}) == 1:
            fields = sorted(
                k
                for k in lanes[0]["behaviour"]
                if k not in ("reason", "set_refusals") and len({repr(c["behaviour"].get(k)) for c in lanes}) > 1
            )
            what = "; ".join(
                f"{k}: " + " against ".join(f"{c['browser'].capitalize()} {c['behaviour'].get(k)}" for c in lanes)
                for k in fields
            )
        said.append({"kind": "disagree", "row": _row_id(lanes[0]), "text": f"{where[1]} ({where[2]}): {what}"})
    for kind in ("leak", "changed"):
        lanes_of: dict[str, list[str]] = {}
        for cell in sorted(cells, key=lambda c: (_area_rank(c["area"], order), c["scenario"])):
            if (cell["label"] == "LEAK") if kind == "leak" else cell["changed"]:
                lanes_of.setdefault(_row_id(cell), []).append(f"{cell['browser']} {cell['profile']}")
        for row, lanes_here in lanes_of.items():
            scenario = row.split("/", 1)[1]
            prefix = "LEAK: " if kind == "leak" else "changed since the baseline: "
            said.append({"kind": kind, "row": row, "text": f"{prefix}{scenario} ({', '.join(lanes_here)})"})
    return said


def _area_rank(area: str, order: list[str]) -> tuple[int, str]:
    """The report's own order of areas (report.build's areas); others after, alphabetically."""
    return (order.index(area) if area in order else len(order), area)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>corsproof report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d2327; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.counts span { display: inline-block; margin-right: 1.2em; padding: .3em .7em; background: #f0f3f5; border-radius: 4px; }
.counts b { font-size: 1.2em; }
/* No sideways scroll at 1024 px: the columns share the width, long names wrap anywhere. */
table { border-collapse: collapse; margin-top: .5em; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #d5dade; padding: .25em .5em; text-align: left; overflow-wrap: anywhere; }
th:first-child { width: 28%; }
@media print { #filter, #details, label { display: none; } th { position: static; } }
th { background: #f6f7f8; font-weight: 600; position: sticky; top: 0; }
td.cell { cursor: pointer; }
.read { background: #d4f4dd; } .opaque { background: #e4e6e8; } .blocked { background: #f9d6d5; }
.cookies { background: #fff1c2; } .none { background: #f6f7f8; } .carried { background: #ffd8a8; }
.error, .failed { outline: 3px solid #c0392b; outline-offset: -3px; }
.disagree::after { content: " \\2260"; color: #8e44ad; font-weight: bold; }
.changed::before { content: "\\25B2 "; color: #d35400; }
#details { position: fixed; right: 1em; bottom: 1em; width: 42em; max-height: 70vh; overflow: auto;
  background: white; border: 1px solid #999; box-shadow: 0 2px 12px #0003; padding: 1em; display: none; }
#details { overflow-wrap: anywhere; }
#details pre { white-space: pre-wrap; font-size: 12px; background: #f6f7f8; padding: .5em; }
#filter { font-size: 1em; padding: .3em; width: 24em; }
.browsers { color: #555; font-size: .9em; }
</style></head>
<body>
<h1 id="heading">corsproof report</h1>
<div id="audit"></div>
<section id="findings"><h2>Findings</h2><ul id="findings-list"></ul></section>
<div class="counts" id="counts"></div>
<ul class="browsers" id="browsers"></ul>
<p><input id="filter" type="search" placeholder="filter: scenario, outcome, reason, browser…">
 <label><input type="checkbox" id="only-disagree"> only where the browsers disagree</label>
 <label><input type="checkbox" id="only-failed"> <span id="only-failed-label">only failures</span></label></p>
<p>Colours: <span class="read">read</span> <span class="opaque">opaque</span> <span class="blocked">blocked</span>
 <span class="cookies">cookies reached the server</span> <span class="carried">state change carried out</span>
 <span class="none">nothing got through</span>; &#8800; the browsers disagree;<span id="changed-legend"> &#9650; changed since the baseline;</span>
 <span id="failed-frame">a red frame: the expectation failed</span>. Click a cell for the why and the evidence.</p>
<div id="areas"></div>
<div id="details"><button id="close">close</button><div id="details-body"></div></div>
<script type="application/json" id="report">__REPORT__</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("report").textContent);
const text = (tag, value, cls) => { const e = document.createElement(tag); e.textContent = value; if (cls) e.className = cls; return e; };
const lanes = [...new Set(data.cells.map(c => c.browser + " / " + c.profile))].sort();
const words = data.words;
document.title = words.title; document.getElementById("heading").textContent = words.heading;
document.getElementById("only-failed-label").textContent = words.only_failed;
document.getElementById("failed-frame").textContent = words.failed_frame;
document.getElementById("changed-legend").hidden = data.changed === null;
if (data.audit) {
  const box = document.getElementById("audit"), a = data.audit;
  box.append(text("p", `The app: ${a.app}; the origins it trusts: ${a.trusted.join(", ")}.`));
  box.append(text("h2", "Proven before any verdict"));
  const proofs = document.createElement("ul");
  for (const p of a.proofs) proofs.append(text("li", `${p.lane}: the victim's credential (${p.credential}) reached ` +
    (p.private.length ? p.private.join(", ") : "no private path") + (p.public.length ? `; public (never a leak): ${p.public.join(", ")}` : "")));
  box.append(proofs);
  for (const note of a.notes) box.append(text("p", note));
}
const list = document.getElementById("findings-list");
for (const f of data.findings) {
  const li = document.createElement("li"); li.className = "finding " + f.kind;
  const link = text("a", f.text); link.href = "#" + encodeURIComponent(f.row); li.append(link); list.append(li);
}
if (!data.findings.length) list.append(text("li", "The browsers agree everywhere; nothing leaked."));
const counts = document.getElementById("counts");
const shown = {...data.summary}; if (data.changed !== null) shown["changed since baseline"] = data.changed;
for (const [name, value] of Object.entries(shown)) {
  const box = document.createElement("span"); box.dataset.count = name;
  box.append(text("b", value), " " + (words.counts[name] || name)); counts.append(box);
}
for (const b of data.browsers) document.getElementById("browsers").append(text("li",
  `${b.name} ${b.version} (${b.build} build), cookie profile ${b.cookie_profile}` + (b.deviations || []).map(d => "; " + d).join("")));
const colour = (c) => c.label === "error" ? "error" : c.behaviour.page ? c.behaviour.page
  : c.label === "carried out" ? "carried" : c.behaviour.cookies.length ? "cookies" : "none";
// The detail of a cell: every browser of that scenario and profile side by side, in words; the
// raw JSON behind a toggle.
const sameRow = (c) => data.cells.filter(o => o.area === c.area && o.scenario === c.scenario && o.profile === c.profile)
  .sort((a, b) => a.browser.localeCompare(b.browser));
const names = (v) => (v && v.length ? v.join(", ") : "none");
const ROWS = [
  ["what the page saw", (o) => o.behaviour.page || "nothing readable (navigation, form or element)"],
  ["cookies that reached the server", (o) => names(o.behaviour.cookies)],
  ["preflights, requests", (o) => `${o.behaviour.preflights}, ${o.behaviour.requests}`],
  ["state changes carried out", (o) => String(o.behaviour.transfers)],
  ["the browser's reason", (o) => o.browser === "chromium" ? "Chromium: " + (o.behaviour.reason || "none") : (o.browser === "webkit" ? "WebKit" : "Firefox") + " gives its driver none"],
  ["corsproof's derived reason", (o) => o.behaviour.derived_reason || "none"],
  ["verdict", (o) => o.label + (o.passed ? "" : " (NOT as expected)")],
  ["since the baseline", (o) => o.change ? "baseline → now: " + o.change.split(": ").slice(1).join(": ") : "unchanged"],
];
function show(c) {
  const body = document.getElementById("details-body"); body.replaceChildren();
  const row = sameRow(c);
  body.append(text("h3", `${c.scenario} (${c.profile})`));
  body.append(text("p", (c.passed ? "Expected, because " : "NOT as expected. Expected because ") + c.expected.why));
  const table = document.createElement("table"); const head = table.insertRow();
  head.append(text("th", "")); for (const o of row) head.append(text("th", o.browser));
  for (const [name, value] of ROWS) {
    if (name === "since the baseline" && data.changed === null) continue;
    const tr = table.insertRow(); tr.append(text("th", name));
    for (const o of row) tr.append(text("td", value(o)));
  }
  body.append(table);
  for (const o of row) if (o.failure) body.append(text("p", `${o.browser}: ${o.failure}`));
  const raw = document.createElement("details"); raw.append(text("summary", "raw JSON: " + words.reached.toLowerCase()));
  for (const o of row) raw.append(text("h4", o.browser), text("pre", JSON.stringify({behaviour: o.behaviour, evidence: o.evidence}, null, 1)));
  body.append(raw);
  document.getElementById("details").style.display = "block";
}
document.getElementById("close").onclick = () => { document.getElementById("details").style.display = "none"; };
const areas = document.getElementById("areas");
const byArea = {};
for (const c of data.cells) ((byArea[c.area] ??= {})[c.scenario] ??= {})[c.browser + " / " + c.profile] = c;
const failing = (rows) => Object.values(rows).some(r => Object.values(r).some(c => !c.passed));
const rank = (area) => { const i = data.area_order.indexOf(area); return i < 0 ? data.area_order.length : i; };
for (const area of Object.keys(byArea).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
  const section = document.createElement("section"); section.dataset.area = area;
  section.append(text("h2", area.replace(/_/g, " ")));
  const table = document.createElement("table"); const head = table.insertRow();
  head.append(text("th", "scenario")); for (const lane of lanes) head.append(text("th", lane));
  const rows = byArea[area];
  const order = Object.keys(rows).sort((a, b) => failing({a: rows[b]}) - failing({a: rows[a]}) || a.localeCompare(b));
  for (const scenario of order) {
    const tr = table.insertRow(); tr.id = area + "/" + scenario; tr.append(text("td", scenario));
    const cells = Object.values(rows[scenario]);
    tr.dataset.search = (scenario + " " + cells.map(c => [c.label, c.browser, c.profile, c.behaviour.reason, c.behaviour.derived_reason].join(" ")).join(" ")).toLowerCase();
    tr.dataset.disagree = cells.some(c => c.disagree); tr.dataset.failed = cells.some(c => !c.passed);
    for (const lane of lanes) {
      const c = rows[scenario][lane];
      if (!c) { tr.append(text("td", "")); continue; }
      const td = text("td", c.label, ["cell", colour(c), c.passed ? "" : "failed", c.disagree ? "disagree" : "", c.changed ? "changed" : ""].join(" "));
      td.onclick = () => show(c); tr.append(td);
    }
  }
  section.append(table); areas.append(section);
}
function applyFilter() {
  const words = document.getElementById("filter").value.toLowerCase().split(/\\s+/).filter(Boolean);
  const onlyDisagree = document.getElementById("only-disagree").checked, onlyFailed = document.getElementById("only-failed").checked;
  for (const tr of document.querySelectorAll("tr[data-search]")) {
    tr.hidden = !words.every(w => tr.dataset.search.includes(w)) || (onlyDisagree && tr.dataset.disagree !== "true") || (onlyFailed && tr.dataset.failed !== "true");
  }
  for (const section of document.querySelectorAll("section[data-area]")) {
    section.hidden = !section.querySelector("tr[data-search]:not([hidden])");
  }
}
for (const id of ["filter", "only-disagree", "only-failed"]) document.getElementById(id).addEventListener("input", applyFilter);
</script>
</body></html>
"""


def render(
    data: dict[str, Any],
    changed: Mapping[tuple[str, str, str, str], str] | None = None,
    audit: dict[str, Any] | None = None,
) -> str:
    """The page; changed: the cells that changed since a baseline, with what changed (None: no
    baseline was compared);
    audit: an audit's context (audit_context()), for its own words and its proof at the top."""
    # "</" cannot appear inside the script element that carries the data.
    embedded = json.dumps(view(data, changed, audit), sort_keys=True).replace("</", "<\\/")
    return _PAGE.replace("__REPORT__", embedded)


def write(
    data: dict[str, Any],
    path: Path,
    changed: Mapping[tuple[str, str, str, str], str] | None = None,
    audit: dict[str, Any] | None = None,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data, changed, audit))
