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

function goodUrl(path) {
  const policy = document.getElementById("policy").value;
  const prefix = policy === "no-cors" ? "" : `/${policy}`;
  return `${document.body.dataset.good}${prefix}${path}`;
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-path]");
  if (!button) return;
  const init = JSON.parse(button.dataset.init || "{}");
  const url = goodUrl(button.dataset.path);
  const output = document.getElementById("result");
  output.textContent = `${init.method || "GET"} ${url} ...`;
  const result = await window.corsproof.probe(url, init);
  output.textContent = `${init.method || "GET"} ${url}\n${JSON.stringify(result, null, 2)}`;
  output.dataset.outcome = result.outcome;
});
