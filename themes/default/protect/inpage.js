// Recap Journal: the in-page mode, for browsers without service workers (the built-in browser
// of a mail or messaging app, some private windows).
//
// The unlock page stays the document and becomes the journal: each page is fetched, decrypted
// (decrypt.js, the same code as the service worker's) and written into the document at its
// own address. Material's instant navigation and search load pages, the sitemap and the search
// index with XMLHttpRequest: requests inside the journal are decrypted here and handed over as
// blob: URLs, so Material works unchanged. Pictures, recordings and transcripts are decrypted
// whole into blob: URLs (an hour of audio is some 20 MB). A reload or a new tab opens the host's
// address, which has no such file: the root 404 page sends it to the unlock page, which opens
// the page again (without the password when the keys were kept on this device).
(function (root) {
  "use strict";
  // Filled in by the build: the files of this folder that are published unencrypted.
  var PUBLIC = new Set(/*RJ_PUBLIC*/ []);
  var XHR = XMLHttpRequest.prototype;
  var realOpen = XHR.open;
  var realSend = XHR.send;
  var realFetch = root.fetch.bind(root);
  var journal = null;
  var scopePath = "";
  var media = new Map(); // address → blob: URL of a decrypted picture, recording or transcript

  // The journal's path of an address ("sessions/x/"), or null when it is not an encrypted
  // file of this journal (another site, a public asset, the unlock page's own files).
  function pathOf(address, base) {
    var url;
    try {
      url = new URL(address, base || location.href);
    } catch (e) {
      return null;
    }
    if (url.origin !== location.origin || url.pathname.indexOf(scopePath) !== 0) return null;
    var rel;
    try {
      rel = decodeURIComponent(url.pathname.slice(scopePath.length));
    } catch (e) {
      return null;
    }
    if (PUBLIC.has(rel) || rel.indexOf("b/") === 0) return null;
    return rel;
  }

  function isPage(rel) {
    var last = rel.split("/").pop();
    return last === "" || last.indexOf(".") < 0 || /\.html?$/.test(last);
  }

  // The decrypted file at a journal path: {bytes, type, path}, or null. A folder asked for
  // without its slash is found at its index.html.
  async function load(rel) {
    var path = rel === "" || rel.slice(-1) === "/" ? rel + "index.html" : rel;
    var file = await latest(path);
    if (!file && path.split("/").pop().indexOf(".") < 0) {
      path += "/index.html";
      file = await latest(path);
    }
    if (file) file.path = path;
    return file;
  }

  // The file, reading the build inventory again once when the file is not in it or not the
  // version it lists: the coach may have published since this page read it.
  async function latest(path) {
    try {
      var file = await journal.file(path);
      if (file) return file;
    } catch (error) {
      if (!(error instanceof RJDecrypt.DecryptError)) throw error;
    }
    journal.refresh();
    return journal.file(path);
  }

  // A page's HTML made safe to write into this document: the addresses of encrypted
  // pictures, recordings, transcripts and stylesheets move to data-rj-* attributes (the host
  // has no such files), to be replaced by blob: URLs once decrypted; the Lock button is added.
  function prepare(html, address) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var selector = "img[src], audio[src], video[src], source[src], track[src], link[href]";
    doc.querySelectorAll(selector).forEach(function (element) {
      var attr = element.tagName === "LINK" ? "href" : "src";
      if (attr === "href" && !/\b(stylesheet|icon)\b/i.test(element.getAttribute("rel") || "")) {
        return;
      }
      var value = element.getAttribute(attr);
      if (pathOf(value, address) === null) return;
      element.setAttribute("data-rj-" + attr, new URL(value, address).href);
      element.removeAttribute(attr);
    });
    var page = "<!doctype html>\n" + doc.documentElement.outerHTML;
    return RJDecrypt.withLockButton(page, journal.scope, journal.site);
  }

  // A blob: URL of the decrypted file at `address` (HTML prepared as above), or null.
  async function objectUrl(address) {
    var file = await load(pathOf(address));
    if (!file) return null;
    var body = file.bytes;
    if (file.type.indexOf("text/html") === 0) {
      body = prepare(new TextDecoder().decode(file.bytes), address);
    }
    return URL.createObjectURL(new Blob([body], { type: file.type }));
  }

  // Material loads pages, the sitemap and the search index with XMLHttpRequest: a request
  // for a journal file is sent to a blob: URL of its decrypted bytes instead.
  XHR.open = function (method, address) {
    this.rjAddress = null;
    if (journal && String(method).toUpperCase() === "GET" && pathOf(address) !== null) {
      this.rjAddress = new URL(address, location.href).href;
    }
    return realOpen.apply(this, arguments);
  };

  XHR.send = function () {
    var xhr = this;
    if (!xhr.rjAddress) return realSend.apply(xhr, arguments);
    var address = xhr.rjAddress;
    xhr.rjAddress = null;
    objectUrl(address)
      .catch(function () {
        return null;
      })
      .then(function (url) {
        var type = xhr.responseType;
        // No such file (or it failed its check): an address that fails, so the request
        // ends in its "error" event as a network failure would.
        var target = url || URL.createObjectURL(new Blob([]));
        if (!url) URL.revokeObjectURL(target);
        realOpen.call(xhr, "GET", target, true);
        xhr.responseType = type;
        xhr.addEventListener("loadend", function () {
          if (url) URL.revokeObjectURL(url);
        });
        realSend.call(xhr);
      });
  };

  // The same for fetch(), which the theme's own scripts may use.
  root.fetch = function (input, init) {
    var request = new Request(input, init);
    if (!journal || request.method !== "GET" || pathOf(request.url) === null) {
      return realFetch(input, init);
    }
    return load(pathOf(request.url)).then(function (file) {
      if (!file) return new Response("Not found.", { status: 404 });
      return new Response(file.bytes, { status: 200, headers: { "Content-Type": file.type } });
    });
  };

  // Give each element waiting in a data-rj-* attribute its decrypted blob: URL.
  function resolveMedia(node) {
    if (!node.querySelectorAll) return;
    var waiting = Array.from(node.querySelectorAll("[data-rj-src], [data-rj-href]"));
    if (node.matches && node.matches("[data-rj-src], [data-rj-href]")) waiting.push(node);
    waiting.forEach(function (element) {
      var attr = element.hasAttribute("data-rj-src") ? "src" : "href";
      var address = element.getAttribute("data-rj-" + attr);
      element.removeAttribute("data-rj-" + attr);
      var url = media.get(address);
      var ready = url
        ? Promise.resolve(url)
        : objectUrl(address).then(function (made) {
            if (made) media.set(address, made);
            return made;
          });
      ready
        .then(function (made) {
          if (!made) return;
          element.setAttribute(attr, made);
          var player = element.closest("audio, video");
          if (player && element !== player && element.tagName === "SOURCE") player.load();
        })
        .catch(function (error) {
          console.error("Recap Journal: " + address + ": " + error.message);
        });
    });
  }

  // Links inside the journal that Material's instant navigation left alone: open them here.
  function onClick(event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || (link.target && link.target !== "_self")) return;
    var rel = pathOf(link.href);
    if (rel === null) return;
    event.preventDefault();
    var url = new URL(link.href);
    if (isPage(rel)) {
      show(url.href, true);
      return;
    }
    objectUrl(url.href).then(function (made) {
      if (!made) return;
      var save = document.createElement("a");
      save.href = made;
      save.download = link.getAttribute("download") || rel.split("/").pop();
      document.body.appendChild(save);
      save.click();
      save.remove();
    });
  }

  function onPopState() {
    // Material's instant navigation answers its own history entries.
    if (!root.document$) show(location.href, false);
  }

  // Show the journal page at `address` in this document, at that address.
  async function show(address, push) {
    var url = new URL(address, location.href);
    var rel = pathOf(url.href);
    var file = rel === null ? null : await load(rel);
    if (file && file.path === rel + "/index.html") url.pathname += "/"; // a folder's address
    if (!file || file.type.indexOf("text/html") !== 0) {
      file = await load("404.html");
      if (!file) throw new Error("no page at " + url.pathname);
    }
    var html = prepare(new TextDecoder().decode(file.bytes), url.href);
    if (push) history.pushState(null, "", url.href);
    else history.replaceState(null, "", url.href);
    document.open();
    document.write(html);
    document.close();
    // Writing a document removes every listener of the old one and of the window.
    root.addEventListener("click", onClick);
    root.addEventListener("popstate", onPopState);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(resolveMedia);
      });
    }).observe(document, { childList: true, subtree: true });
    resolveMedia(document);
    var target = url.hash && document.getElementById(decodeURIComponent(url.hash.slice(1)));
    if (target) target.scrollIntoView();
    else if (push) root.scrollTo(0, 0); // a new page opens at its top, as a navigation does
  }

  root.RJInPage = {
    // Open the journal of `site` (keys: {enc, name}) at `scope`, showing `address`.
    open: function (keys, site, scope, address) {
      journal = new RJDecrypt.Journal(keys, site, scope);
      scopePath = new URL(scope).pathname;
      return show(address, false);
    },
    // The keys in use, or null when the journal is not open in this page.
    keys: function () {
      return journal ? journal.keys : null;
    },
  };
})(self);
