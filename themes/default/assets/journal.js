// Recap Journal: what depends on today's date is computed in the browser, so that a built
// page stays byte-identical from day to day (and an encrypted site does not churn).
(function () {
  function today() {
    var now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  }
  function parse(iso) {
    var p = iso.split("-");
    return new Date(+p[0], +p[1] - 1, +p[2]);
  }
  function span(from, to) {
    var days = Math.round((to - from) / 86400000);
    if (days < 14) return days + (days === 1 ? " day" : " days");
    if (days < 60) return Math.round(days / 7) + " weeks";
    var months = Math.round(days / 30.44);
    if (months < 24) return months + " months";
    return (months / 12).toFixed(1).replace(/\.0$/, "") + " years";
  }
  function refresh() {
    var now = today();
    document.querySelectorAll(".rj-due[data-due]").forEach(function (el) {
      var overdue = el.dataset.status === "open" && parse(el.dataset.due) < now;
      el.classList.toggle("rj-overdue", overdue);
    });
    document.querySelectorAll(".rj-since[data-start]").forEach(function (el) {
      el.textContent = span(parse(el.dataset.start), now);
    });
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(refresh);  // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", refresh);
  }
})();
