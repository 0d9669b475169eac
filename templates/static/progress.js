// Live progress on a diagnostic's page: polls the counts while the
// diagnostic is open and replaces the sentence when it changed. The page
// works without it; the paragraph is aria-live="polite", so a screen reader
// hears the change without losing its place, and nothing moves or takes
// focus, so it needs no reduced-motion variant.
(function () {
  "use strict";
  var el = document.getElementById("live-progress");
  if (!el || !el.dataset.progressUrl || !window.fetch) {
    return;
  }
  var url = el.dataset.progressUrl;
  var every = 30000;
  function poll() {
    if (document.hidden) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && typeof data.text === "string" && data.text !== el.textContent) {
          el.textContent = data.text;
        }
      })
      .catch(function () { /* The next poll tries again. */ });
  }
  window.setInterval(poll, every);
  document.addEventListener("visibilitychange", poll);
})();
