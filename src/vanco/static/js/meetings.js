// Meeting and directive pages: a step's (or a decision's) form loads into a Bootstrap modal
// through htmx; without JavaScript the buttons open the same form as a page.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "step-dialog-body" && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("step-dialog")).show();
    }
  });
})();
