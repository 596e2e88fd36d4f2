// The visit form: "Another obstacle" adds one more demand block from the <template>; without
// JavaScript the form still sends the one block it shows.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("add-demand");
    var template = document.getElementById("demand-template");
    var blocks = document.getElementById("demand-blocks");
    var total = document.getElementById("id_demand-TOTAL_FORMS");
    var max = document.getElementById("id_demand-MAX_NUM_FORMS");
    if (!button || !template || !blocks || !total) {
      return;
    }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      blocks.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = blocks.lastElementChild;
      var first = added && added.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
