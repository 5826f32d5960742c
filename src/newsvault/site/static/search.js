// The search page: asks the server's /api/search (newsvault serve) and lists the hits.
// The hits' titles and sources are set as text; the snippet is HTML the API escaped.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  var input = form.querySelector("input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var query = new URLSearchParams(location.search).get("q") || "";
  if (location.protocol === "file:") return;  // nothing to ask: the note stays
  status.textContent = "";
  input.value = query;
  if (!query.trim()) return;
  status.textContent = status.dataset.searching;
  fetch("../api/search?limit=20&q=" + encodeURIComponent(query))
    .then(function (response) {
      if (response.status === 404 || response.status === 501) throw new Error("offline");
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error || response.statusText);
        return body;
      });
    })
    .then(show, function (error) {
      status.textContent = error.message === "offline" ? status.dataset.offline
        : status.dataset.error + error.message;
    });

  function show(hits) {
    status.textContent = hits.length ? "" : status.dataset.empty;
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var title = document.createElement("a");
      title.textContent = hit.title;
      title.href = hit.page ? "../" + hit.page : hit.url;
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + hit.source + " · " + (hit.published || "").slice(0, 10);
      var snippet = document.createElement("p");
      snippet.className = "snippet";
      snippet.innerHTML = hit.snippet;
      item.append(title, meta, snippet);
      list.append(item);
    });
  }
})();
