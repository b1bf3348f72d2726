// The batch export's progress page: poll the JSON endpoint and update the page without a reload.
// Without JavaScript the page refreshes itself (<noscript> meta refresh); no inline script or style.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }
  function show(data) {
    field("status_label").textContent = data.status_label;
    field("percent").value = data.percent;
    field("percent").textContent = data.percent + "%";
    field("done").textContent = data.done;
    field("total").textContent = data.total;
    box.setAttribute("data-status", data.status);
    if (data.download_url) {
      field("download_url").setAttribute("href", data.download_url);
      field("expires_at").textContent = data.expires_at || "";
      field("download").hidden = false;
    }
    if (data.failures && data.failures.length) {
      var list = field("failures");
      list.textContent = "";
      data.failures.forEach(function (name) {
        var item = document.createElement("li");
        item.textContent = name;
        list.appendChild(item);
      });
      field("failures_box").hidden = false;
    }
    return data.finished;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && show(data)) {
          if (data.status === "failed" || data.status === "expired") { window.location.reload(); }
          return;
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  if (box.getAttribute("data-status") === "queued" || box.getAttribute("data-status") === "running") {
    window.setTimeout(poll, 1000);
  }
})();
