// The article's client code, shared by thirdparty, evil and good's same-site sibling.
// `corsproof.probe` is what the tests call; the buttons call it too, so a person clicking
// through a page sees exactly what a test sees.
"use strict";

window.corsproof = {
  // Fetch url and report what this page's JavaScript could see:
  //   read    - the response was exposed (status, body, type, readable headers)
  //   opaque  - a no-cors response: it arrived, but nothing about it is readable
  //   blocked - fetch() rejected (a CORS failure is a TypeError, with no reason given to JS)
  async probe(url, init) {
    try {
      const response = await fetch(url, init || {});
      if (response.type === "opaque") {
        return { outcome: "opaque", status: response.status, type: response.type };
      }
      const body = await response.text();
      // The response headers this page may read: CORS filters out the rest.
      const headers = Object.fromEntries(response.headers.entries());
      return { outcome: "read", status: response.status, type: response.type, body, headers };
    } catch (error) {
      return { outcome: "blocked", error: `${error.name}: ${error.message}` };
    }
  },
};

function goodUrl(path, probe) {
  const policy = document.getElementById("policy").value;
  const prefix = policy === "no-cors" ? "" : `/${policy}`;
  return `${document.body.dataset.good}${prefix}${path}?probe=${probe}`;
}

const element = (tag, text, className) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
};

// What the page cannot know, asked of this site's /corsproof/record (corsproof-serve and the
// tests mount it): what reached good, what good answered, why the browser refused, and why good's
// cookie did not go along. The client pages and evil's exploit pages (servers/exploits.py) both
// call it, with the box <div id="explanation"> in the page.
async function explain(probe, init, outcome) {
  const box = document.getElementById("explanation");
  if (!box) return;
  box.replaceChildren(element("p", "Asking what reached good…"));
  const credentials = init.credentials === "include";
  let record;
  try {
    const response = await fetch(`/corsproof/record?of=${encodeURIComponent(probe)}&credentials=${credentials}`);
    if (!response.ok) throw new Error(`${response.status}`);
    record = await response.json();
  } catch (error) {
    box.replaceChildren(element("p", `(this site keeps no record of what reached good: ${error.message}; corsproof-serve serves one)`, "code"));
    return;
  }
  const items = element("ul");
  for (const hop of record.evidence) {
    const cookies = hop.cookies.length ? `cookies: ${hop.cookies.join(", ")}` : "no cookie";
    const answer = Object.entries(hop.cors_answer).map(([k, v]) => `${k}: ${v}`).join("; ") || "no CORS headers";
    items.append(element("li", `${hop.preflight ? "preflight " : ""}${hop.method} ${hop.url.split("?")[0]}, Origin ${hop.origin}, ${cookies} → ${hop.status}; good answered ${answer}`));
  }
  box.replaceChildren(element("h3", "What reached good"), record.evidence.length ? items : element("p", "nothing reached good"));
  if (record.cookie_note) box.append(element("p", record.cookie_note, "cookie-note"));
  if (outcome === "blocked") {
    box.append(element("h3", "Why the browser refused"), element("p", record.explanation, "reason"));
    if (record.reason) box.append(element("p", `(${record.reason}, derived by corsproof from good's answers)`, "code"));
  }
}
window.corsproof.explain = explain;

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-path]");
  if (!button) return;
  const init = JSON.parse(button.dataset.init || "{}");
  const probe = `page-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const url = goodUrl(button.dataset.path, probe);
  const output = document.getElementById("result");
  output.textContent = `${init.method || "GET"} ${url} ...`;
  delete output.dataset.outcome;
  const result = await window.corsproof.probe(url, init);
  output.textContent = `${init.method || "GET"} ${url}\n${JSON.stringify(result, null, 2)}`;
  output.className = result.outcome;
  await explain(probe, init, result.outcome);
  output.dataset.outcome = result.outcome;
});
