(function () {
  "use strict";
  function norm(s) { return (s || "").toLowerCase(); }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // Search boxes: hide the [data-search] items of their target that do not match, hide the
  // groups left empty, open the groups holding a match; dim the diagram boxes that do not match.
  each(document.querySelectorAll("input.filter"), function (input) {
    var target = input.getAttribute("data-target");
    var root = document.getElementById(target);
    if (!root) { return; }
    var items = Array.prototype.map.call(root.querySelectorAll("[data-search]"), function (el) {
      return [el, norm(el.getAttribute("data-search"))];
    });
    var groups = root.querySelectorAll("details.group");
    var boxes = Array.prototype.map.call(
      document.querySelectorAll('[data-dim-for="' + target + '"] [data-find]'), function (el) {
        return [el, norm(el.getAttribute("data-find"))];
      });
    var counter = document.querySelector('.filter-count[data-for="' + target + '"]');
    var queued = false;
    function apply() {
      queued = false;
      var q = norm(input.value).trim();
      var shown = 0;
      for (var i = 0; i < items.length; i++) {
        var hit = !q || items[i][1].indexOf(q) !== -1;
        items[i][0].hidden = !hit;
        if (hit) { shown++; }
      }
      each(groups, function (g) {
        var any = !q || g.querySelector("[data-search]:not([hidden])") !== null;
        g.hidden = !any;
        if (q && any) { g.open = true; }
      });
      for (var j = 0; j < boxes.length; j++) {
        var match = q && boxes[j][1].indexOf(q) !== -1;
        boxes[j][0].classList.toggle("dim", !!q && !match);
        boxes[j][0].classList.toggle("match", !!match);
      }
      if (counter) { counter.textContent = q ? shown + " of " + items.length + " shown" : ""; }
    }
    input.addEventListener("input", function () {
      if (!queued) { queued = true; window.requestAnimationFrame(apply); }
    });
  });

  function setOpen(button, open) {
    var root = document.getElementById(button.getAttribute("data-target"));
    if (root) { each(root.querySelectorAll("details.group"), function (d) { d.open = open; }); }
  }
  each(document.querySelectorAll("button.expand"), function (b) {
    b.addEventListener("click", function () { setOpen(b, true); });
  });
  each(document.querySelectorAll("button.collapse"), function (b) {
    b.addEventListener("click", function () { setOpen(b, false); });
  });

  // Schema diagrams: zoom by changing the drawing's size (its viewBox stays), and show a table.
  each(document.querySelectorAll("button.zoom"), function (b) {
    b.addEventListener("click", function () {
      var svg = document.getElementById(b.getAttribute("data-target"));
      if (!svg) { return; }
      var w0 = parseFloat(svg.getAttribute("data-width")), h0 = parseFloat(svg.getAttribute("data-height"));
      var scale = parseFloat(svg.getAttribute("data-scale") || "1");
      var how = b.getAttribute("data-zoom");
      if (how === "in") { scale = Math.min(scale * 1.25, 4); }
      else if (how === "out") { scale = Math.max(scale / 1.25, 0.1); }
      else { scale = Math.min(1, (svg.parentNode.clientWidth - 4) / w0); }
      svg.setAttribute("data-scale", String(scale));
      svg.setAttribute("width", String(Math.round(w0 * scale)));
      svg.setAttribute("height", String(Math.round(h0 * scale)));
    });
  });
  each(document.querySelectorAll("a.show-table"), function (a) {
    a.addEventListener("click", function (ev) {
      var box = document.getElementById(a.getAttribute("data-box"));
      if (!box) { return; }
      ev.preventDefault();
      each(document.querySelectorAll("svg.er .tbl.focus"), function (el) { el.classList.remove("focus"); });
      box.classList.add("focus");
      box.scrollIntoView({block: "center", inline: "center"});
    });
  });
})();
