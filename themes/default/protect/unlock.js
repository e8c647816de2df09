// Recap Journal: the unlock page. Password → PBKDF2 → KEK → unwrap K (non-extractable HKDF
// key) → K_enc, K_name (non-extractable) → IndexedDB → register sw.js → open the journal;
// where the browser gives no service worker, the journal opens in this page (inpage.js).
(function () {
  "use strict";
  var subtle = self.crypto && self.crypto.subtle;
  var scope = new URL("./", location.href).href;
  var form = document.getElementById("unlock");
  var input = document.getElementById("password");
  var remember = document.getElementById("remember");
  var button = form.querySelector("button");
  var message = document.getElementById("message");
  var text = new TextEncoder();

  // A one-tap link (`recap link`) carries a password in the address's #fragment, which the
  // browser never sends to the server. Take it, and take it out of the address bar (and so
  // of the history and bookmarks) before anything else runs.
  var linked = new URLSearchParams(location.hash.slice(1)).get("k");
  if (linked) history.replaceState(null, "", location.pathname + location.search);

  // How long a service worker may take to start before the journal opens in the page.
  var WORKER_WAIT_MS = 8000;

  function say(words, kind) {
    message.textContent = words;
    message.className = kind || "";
  }

  function unsupported(words) {
    var box = document.getElementById("unsupported");
    box.textContent = words;
    box.hidden = false;
    form.hidden = true;
  }

  // Where to go once unlocked: `next` from a deep link, kept inside this journal.
  function target() {
    var next = new URLSearchParams(location.search).get("next");
    if (next) {
      try {
        var url = new URL(next, scope);
        if (url.origin === location.origin && url.href.indexOf(scope) === 0) return url.href;
      } catch (e) {
        // not a URL: open the journal's home
      }
    }
    return scope;
  }

  function bytes(b64) {
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function hkdf(info) {
    return { name: "HKDF", hash: "SHA-256", salt: text.encode("RJ1"), info: text.encode(info) };
  }

  // Spaces (as \s), underscores and dashes of any kind: one separator. Listed, not \s, so
  // that passwords.py's _FOLDED_SEPARATORS can say exactly the same.
  var SEPARATORS =
    /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff_\-\u2010-\u2015\u2212]+/g;

  // As passwords.py's fold_password: "Maple River" and "maple-river" are one password.
  function fold(typed) {
    var lower = typed.normalize("NFC").toLowerCase().normalize("NFC");
    return lower.replace(SEPARATORS, "-").replace(/^-+|-+$/g, "");
  }

  // The iteration counts a keyring may ask for: fewer would make guessing cheap for whoever
  // can change keyring.json on the host; more would hang the page.
  var MIN_ITERATIONS = 600000;
  var MAX_ITERATIONS = 10000000;

  // K from one entry, unwrapped straight into a non-extractable HKDF key, or null. Entries
  // from before folding ("fold" absent) take the password as typed, as they were made.
  async function unwrapEntry(typed, entry, site) {
    var password = entry.fold ? fold(typed) : typed.normalize("NFC").trim();
    var base = await subtle.importKey("raw", text.encode(password), "PBKDF2", false, [
      "deriveKey",
    ]);
    var kek = await subtle.deriveKey(
      { name: "PBKDF2", hash: "SHA-256", salt: bytes(entry.salt), iterations: entry.iterations },
      base,
      { name: "AES-GCM", length: 256 },
      false,
      ["unwrapKey"]
    );
    var sealed = bytes(entry.wrapped);
    try {
      return await subtle.unwrapKey(
        "raw",
        sealed.subarray(12),
        kek,
        {
          name: "AES-GCM",
          iv: sealed.subarray(0, 12),
          additionalData: text.encode("RJ1 key " + site),
        },
        { name: "HKDF" },
        false,
        ["deriveKey"]
      );
    } catch (e) {
      return null; // not this entry's password
    }
  }

  // K for the typed password, or null for a wrong one. Each entry has a salt of its own;
  // they are tried side by side, so a second password costs little extra time.
  async function unwrap(typed, keyring) {
    keyring.entries.forEach(function (entry) {
      var n = entry.iterations;
      if (!(Number.isInteger(n) && n >= MIN_ITERATIONS && n <= MAX_ITERATIONS)) {
        throw new Error("this journal's keyring asks for " + n + " iterations (expected " +
          MIN_ITERATIONS + " to " + MAX_ITERATIONS + "): it may have been tampered with");
      }
    });
    var keys = await Promise.all(keyring.entries.map(function (entry) {
      return unwrapEntry(typed, entry, keyring.site);
    }));
    return keys.find(function (k) { return k; }) || null;
  }

  async function siteKeys(k, site) {
    var enc = await subtle.deriveKey(
      hkdf("RJ1 enc\0" + site),
      k,
      { name: "AES-GCM", length: 256 },
      false,
      ["decrypt"]
    );
    var name = await subtle.deriveKey(
      hkdf("RJ1 name\0" + site),
      k,
      { name: "HMAC", hash: "SHA-256", length: 256 },
      false,
      ["sign"]
    );
    return { enc: enc, name: name };
  }

  function randomTag() {
    var raw = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(raw, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  async function store(site, keys, keep) {
    var record = { site: site, enc: keys.enc, name: keys.name, remember: keep };
    if (!keep) {
      record.tag = randomTag();
      record.expires = Date.now() + RJStore.VISIT_MS;
      RJStore.markVisit(site, record.tag, new URL(scope).pathname);
    }
    // Some private windows have no storage: the keys then live in this page only.
    await RJStore.put(site, record).catch(function () {});
    return record;
  }

  // The journal's service worker, started; throws where the browser has none to give.
  async function startWorker(site) {
    if (!("serviceWorker" in navigator)) throw new Error("no service workers in this browser");
    var registration = await navigator.serviceWorker.register(
      "sw.js?site=" + encodeURIComponent(site),
      { scope: "./", updateViaCache: "none" }
    );
    var worker = registration && (registration.installing || registration.waiting || registration.active);
    if (!worker) throw new Error("the browser did not start the journal's service worker");
    if (worker.state !== "activated") {
      await new Promise(function (resolve, reject) {
        worker.addEventListener("statechange", function () {
          if (worker.state === "activated") resolve();
          if (worker.state === "redundant") reject(new Error("the service worker stopped"));
        });
        setTimeout(function () {
          reject(new Error("the service worker did not start"));
        }, WORKER_WAIT_MS);
      });
    }
    // A worker that was already running may hold "locked" state from before.
    worker.postMessage({ type: "keys-changed", site: site });
    return worker;
  }

  // Open the journal: through the service worker where there is one, else in this page.
  async function openJournal(record) {
    try {
      await startWorker(record.site);
    } catch (error) {
      // In-app browsers of mail and messaging apps, some private windows: no worker.
      await RJInPage.open(record, record.site, scope, target());
      return;
    }
    location.replace(target());
  }

  async function keyring() {
    var response = await fetch("keyring.json", { cache: "no-store" });
    if (!response.ok) throw new Error("keyring.json: HTTP " + response.status);
    return response.json();
  }

  async function submit(event) {
    event.preventDefault();
    var password = input.value;
    if (!fold(password)) return;
    button.disabled = true;
    say("Opening…", "busy");
    try {
      var ring = await keyring();
      var k = await unwrap(password, ring);
      if (!k) {
        if (input.dataset.link) {
          input.value = "";
          say("This link no longer opens the journal: type your password, or ask your " +
            "coach for a new link.", "error");
        } else {
          say("That password does not open this journal. Check it and try again.", "error");
          input.select();
        }
        return;
      }
      var record = await store(ring.site, await siteKeys(k, ring.site), remember.checked);
      say("Opening your journal…", "busy");
      await openJournal(record);
    } catch (error) {
      say("The journal could not be opened: " + (error && error.message ? error.message : error), "error");
    } finally {
      button.disabled = false;
    }
  }

  // Keys still valid on this device (remembered, or this visit) but no worker serving them,
  // e.g. after the browser dropped the worker: go straight on.
  async function resume() {
    var ring = await keyring();
    var record = await RJStore.get(ring.site);
    var valid = RJStore.valid(record, RJStore.visitTag(ring.site));
    // A key remembered before a password change no longer opens anything: drop it.
    if (valid && (!ring.check || ring.check === (await RJStore.keyCheck(record)))) {
      await openJournal(record);
      return true;
    }
    if (record) await RJStore.remove(ring.site);
    return false;
  }

  if (window.top !== window.self) {
    // Another page showing this one in a frame could watch or steer the typing.
    unsupported("This journal cannot be opened inside another page. Open its link directly.");
    return;
  }
  if (!subtle || !window.isSecureContext) {
    unsupported(
      "This journal needs a secure connection (an https:// address). Open the link your " +
        "coach sent exactly as it is."
    );
    return;
  }
  form.addEventListener("submit", submit);
  form.hidden = false;
  resume()
    .catch(function () {
      return false; // no storage on this device, or nothing kept: ask for the password
    })
    .then(function (resumed) {
      if (resumed) return;
      if (!linked) {
        input.focus();
        return;
      }
      input.value = linked;
      input.dataset.link = "1";
      input.addEventListener("input", function () { delete input.dataset.link; }, { once: true });
      remember.checked = true; // one tap: this device keeps the journal open
      linked = null;
      form.requestSubmit();
    });
})();
