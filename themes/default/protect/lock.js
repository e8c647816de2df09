// Recap Journal: the "Lock" button on every journal page (sw.js adds this script to each page).
// Locking deletes the keys from this device, tells the worker to forget them, and shows the
// unlock page. The page also checks the visit cookie: a journal opened without "remember me"
// locks itself once the browser has ended the visit, even where the worker cannot read it,
// and once the published keyring holds another key (a password was changed or removed).
(function () {
  "use strict";
  var me = document.currentScript;
  var site = me.getAttribute("data-site");
  var scope = new URL("./", me.src).href;
  var ICON =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true">' +
    '<path d="M12 17a2 2 0 0 0 2-2 2 2 0 0 0-2-2 2 2 0 0 0-2 2 2 2 0 0 0 2 2m6-9a2 2 0 0 1 2 ' +
    "2v10a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V10a2 2 0 0 1 2-2h1V6a5 5 0 0 1 5-5 5 5 0 0 1 5 5v2h1m-6-5" +
    'a3 3 0 0 0-3 3v2h6V6a3 3 0 0 0-3-3Z"/></svg>';

  function tellWorker() {
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (!worker) return Promise.resolve();
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function () {
        resolve();
      };
      worker.postMessage({ type: "lock", site: site }, [channel.port2]);
      setTimeout(resolve, 1000);
    });
  }

  function lock() {
    RJStore.markVisit(site, null, new URL(scope).pathname);
    return RJStore.remove(site)
      .catch(function () {})
      .then(tellWorker)
      .then(function () {
        location.replace(scope);
      });
  }

  function button() {
    if (document.getElementById("rj-lock")) return;
    var lockButton = document.createElement("button");
    lockButton.id = "rj-lock";
    lockButton.type = "button";
    lockButton.title = "Lock this journal on this device";
    lockButton.setAttribute("aria-label", "Lock");
    lockButton.innerHTML = ICON + "<span>Lock</span>";
    lockButton.addEventListener("click", lock);
    var header = document.querySelector(".md-header__inner");
    if (header) {
      lockButton.className = "md-header__button rj-lock";
      var search = header.querySelector(".md-search");
      header.insertBefore(lockButton, search || null);
    } else {
      lockButton.className = "rj-lock rj-lock--floating";
      document.body.appendChild(lockButton);
    }
  }

  function style() {
    var css = document.createElement("style");
    css.textContent =
      // Doubled class: Material's `.md-header__button:not([hidden])` sets display too.
      ".rj-lock.rj-lock{display:inline-flex;align-items:center;gap:.3em;cursor:pointer;line-height:1;" +
      "background:none;border:0;color:inherit;font:inherit;font-size:.7rem;padding:.4rem;margin:.2rem}" +
      ".rj-lock svg{display:block;width:1.2rem;height:1.2rem;fill:currentColor}" +
      ".rj-lock span{line-height:1.2rem}" +
      ".rj-lock--floating{position:fixed;right:1rem;bottom:1rem;z-index:10;background:#fff;" +
      "color:#222;border-radius:1rem;box-shadow:0 1px 4px rgba(0,0,0,.3)}" +
      "@media (max-width:44.9375em){.rj-lock span{display:none}}";
    document.head.appendChild(css);
  }

  function checkVisit() {
    var inPage = window.RJInPage && window.RJInPage.keys();
    if (inPage) {
      // Opened in this page (no service worker): the keys end with the page; only a
      // password change can make them stale.
      RJStore.matches(inPage, scope + "keyring.json").then(function (same) {
        if (!same) lock();
      });
      return;
    }
    RJStore.get(site)
      .then(function (record) {
        if (!RJStore.valid(record, RJStore.visitTag(site))) return lock();
        // A password was changed since this device unlocked: the key opens nothing new.
        return RJStore.matches(record, scope + "keyring.json").then(function (same) {
          if (!same) return lock();
        });
      })
      .catch(function () {});
  }

  style();
  button();
  checkVisit();
  // Material's instant navigation swaps parts of the page: put the button back if it went.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(button);
})();
