// Recap Journal: where an unlocked journal keeps its keys, shared by unlock.js, lock.js and sw.js.
//
// One IndexedDB database per origin, one record per site id: {enc, name} are non-extractable
// CryptoKeys (their bytes can never be read back by script), never the password.
//
// "Remember me on this device" unticked means "until the end of this visit": the record then
// holds a random tag that is also set as a session cookie (no expiry, path = the journal's
// folder) and in the tab's sessionStorage. Closing the browser deletes session cookies, so a
// record whose tag no longer matches a cookie is deleted on next use. The worker reads the
// cookie through the Cookie Store API; pages check it through document.cookie (lock.js), which
// covers browsers whose workers lack that API, or, where a browser keeps no cookies, through
// sessionStorage (visitTag): so without a service worker too (inpage.js), a reload or another
// page of the journal in the same tab stays unlocked. Web storage only ever holds that random
// tag, never a key. As a backstop such a record also expires 12 hours after unlocking.
(function (root) {
  "use strict";
  var DB = "recap-journal";
  var STORE = "keys";
  var VISIT_MS = 12 * 60 * 60 * 1000;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE);
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function run(mode, action) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = action(tx.objectStore(STORE));
        tx.oncomplete = function () {
          db.close();
          resolve(request.result);
        };
        tx.onerror = tx.onabort = function () {
          db.close();
          reject(tx.error);
        };
      });
    });
  }

  function cookieName(site) {
    return "rj_" + site;
  }

  function cookieFromDocument(site) {
    var name = cookieName(site) + "=";
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf(name) === 0) return parts[i].slice(name.length);
    }
    return null;
  }

  // The visit's tag as a page sees it: its session cookie, else this tab's sessionStorage.
  function visitTag(site) {
    var cookie = cookieFromDocument(site);
    if (cookie) return cookie;
    try {
      return root.sessionStorage.getItem(cookieName(site));
    } catch (e) {
      return null; // no web storage here (some private windows)
    }
  }

  // Mark this visit as unlocked with `tag` (null: forget the mark), in a page.
  function markVisit(site, tag, path) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = tag
      ? cookieName(site) + "=" + tag + "; path=" + path + "; SameSite=Strict" + secure
      : cookieName(site) + "=; path=" + path + "; max-age=0; SameSite=Strict";
    try {
      if (tag) root.sessionStorage.setItem(cookieName(site), tag);
      else root.sessionStorage.removeItem(cookieName(site));
    } catch (e) {
      // no web storage: the cookie alone marks the visit
    }
  }

  root.RJStore = {
    VISIT_MS: VISIT_MS,
    cookieName: cookieName,
    cookieFromDocument: cookieFromDocument,
    visitTag: visitTag,
    markVisit: markVisit,
    get: function (site) {
      return run("readonly", function (s) {
        return s.get(site);
      });
    },
    put: function (site, record) {
      return run("readwrite", function (s) {
        return s.put(record, site);
      });
    },
    remove: function (site) {
      return run("readwrite", function (s) {
        return s.delete(site);
      });
    },
    // The key check of a record's K_name (as generator/protection/blobs.py SiteKeys.key_check).
    keyCheck: async function (record) {
      var label = new TextEncoder().encode("RJ1 key check");
      var mac = new Uint8Array(await crypto.subtle.sign("HMAC", record.name, label));
      return Array.from(mac.subarray(0, 16), function (b) {
        return b.toString(16).padStart(2, "0");
      }).join("");
    },
    // False when the published keyring (at `url`) holds another key than `record`: the
    // coach changed or removed a password, so this remembered key opens nothing new.
    // True when it matches, or when the keyring cannot be read (offline: keep the key).
    matches: async function (record, url) {
      var ring;
      try {
        var response = await fetch(url, { cache: "no-store" });
        if (!response.ok) return true;
        ring = await response.json();
      } catch (e) {
        return true;
      }
      return !ring.check || ring.check === (await root.RJStore.keyCheck(record));
    },
    // Whether a record still holds: `cookie` is the visit cookie's value (null when absent,
    // undefined when it cannot be read in this context).
    valid: function (record, cookie) {
      if (!record || !record.enc || !record.name) return false;
      if (record.remember) return true;
      if (Date.now() > record.expires) return false;
      return cookie === undefined || cookie === record.tag;
    },
  };
})(self);
