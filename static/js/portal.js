// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  function announceResults() {
    var body = document.getElementById("search-body");
    var status = document.getElementById("search-status");
    if (body && status) status.textContent = body.dataset.status || "";
  }

  // After htmx replaced the results, keep the filter panel as the visitor left it
  // and announce the new count to screen readers.
  document.addEventListener("htmx:beforeSwap", function () {
    var filters = document.querySelector("details.filters");
    window.__filtersOpen = filters ? filters.open : true;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var filters = document.querySelector("details.filters");
    if (filters) filters.open = window.__filtersOpen;
    announceResults();
  });
})();
