// Recap Journal: the service worker that decrypts a journal in the browser.
//
// For every request inside its scope, except the public files (the unlock page's own files
// and Material's assets), it computes the blob name HMAC(K_name, path), fetches `b/<name>`,
// checks and decrypts its AES-GCM chunks and answers with the plain file. Range requests
// (the audio player's) get 206 answers that fetch and decrypt only the chunks they need.
// Without keys, a page request is sent to the unlock page with the link remembered.
// The decryption itself is decrypt.js, shared with the in-page mode (inpage.js) of browsers
// without service workers; the blob format is described in generator/protection/blobs.py.
"use strict";

importScripts("keystore.js", "decrypt.js");

// Filled in by the build: the files of this folder that are published unencrypted.
var PUBLIC = new Set(/*RJ_PUBLIC*/ []);
var SITE = new URL(location.href).searchParams.get("site");
var SCOPE = self.registration.scope;
var SCOPE_PATH = new URL(SCOPE).pathname;
var WHOLE_LIMIT = 4 * 1024 * 1024; // decrypt smaller files whole before answering
var DecryptError = RJDecrypt.DecryptError;
// Decrypted pages load nothing from another origin and cannot be framed (a page of another
// site showing the journal in a frame could trick the visitor into clicks).
var CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; " +
  "connect-src 'self'; worker-src 'self' blob:; frame-src 'none'; object-src 'none'; " +
  "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

var journal = null; // the unlocked journal (RJDecrypt.Journal), kept while this worker runs

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "lock" || data.type === "keys-changed") journal = null;
  if (event.ports && event.ports[0]) event.ports[0].postMessage({ done: true });
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (url.origin !== location.origin || url.pathname.indexOf(SCOPE_PATH) !== 0) return;
  var rel;
  try {
    rel = decodeURIComponent(url.pathname.slice(SCOPE_PATH.length));
  } catch (e) {
    event.respondWith(plain(400, "Bad address."));
    return;
  }
  if (PUBLIC.has(rel)) return; // unencrypted on the host: let the browser fetch it
  var method = event.request.method;
  if (method !== "GET" && method !== "HEAD") return;
  event.respondWith(
    handle(event.request, url, rel).catch(function (error) {
      return failure(event.request, error);
    })
  );
});

async function visitCookie() {
  if (!self.cookieStore) return undefined;
  try {
    var cookie = await self.cookieStore.get(RJStore.cookieName(SITE));
    return cookie ? cookie.value : null;
  } catch (e) {
    return undefined;
  }
}

async function currentJournal() {
  if (journal && RJStore.valid(journal.keys, undefined)) return journal;
  journal = null;
  var record = await RJStore.get(SITE);
  if (!record) return null;
  if (!RJStore.valid(record, await visitCookie()) || !(await stillPublished(record))) {
    await RJStore.remove(SITE);
    return null;
  }
  journal = new RJDecrypt.Journal(record, SITE, SCOPE);
  return journal;
}

// False when the journal now has another key (a password was changed or removed): the
// remembered one is dropped and the visitor sees the unlock page.
function stillPublished(record) {
  return RJStore.matches(record, SCOPE + "keyring.json");
}

async function handle(request, url, rel) {
  var navigate = request.mode === "navigate";
  var j = await currentJournal();
  if (!j) {
    if (rel === "" || rel === "index.html") return fetch(request); // the unlock page
    if (navigate) {
      var next = url.pathname.slice(SCOPE_PATH.length) + url.search;
      return Response.redirect(SCOPE + "?next=" + encodeURIComponent(next), 302);
    }
    return plain(401, "This journal is locked.");
  }
  if (rel === "" && navigate && url.searchParams.has("next")) {
    return Response.redirect(safeNext(url.searchParams.get("next")), 302);
  }
  var path = rel === "" || rel.slice(-1) === "/" ? rel + "index.html" : rel;
  var response;
  try {
    response = await serveLatest(request, j, path);
  } catch (error) {
    // Nothing opens with these keys: perhaps they are no longer the journal's.
    if (error instanceof DecryptError && !(await stillPublished(j.keys))) {
      return relock(request, url, rel);
    }
    throw error;
  }
  if (response) return response;
  // The theme's files are shared by every journal, one folder up (the pages link there);
  // one asked for under the journal's own path (a search language file) is fetched there.
  if (path.indexOf("assets/") === 0) return fetch(new URL("../" + encodePath(path), SCOPE));
  // A folder asked for without its slash: send the browser to the slashed address.
  var last = path.split("/").pop();
  if (last.indexOf(".") < 0 && (await j.exists(path + "/index.html"))) {
    return Response.redirect(SCOPE + encodePath(path) + "/" + url.search, 301);
  }
  if (!(await stillPublished(j.keys))) return relock(request, url, rel);
  var missing = navigate ? await serve(new Request(SCOPE), j, "404.html") : null;
  if (missing) {
    // MkDocs writes the 404 page's addresses from the site's root ("/assets/…", "base": "/"):
    // point them into this journal, wherever the host serves it.
    var page = (await missing.text())
      .replace(/((?:href|src)=")\/(?!\/)/g, "$1" + SCOPE)
      .replace('"base": "/"', '"base": "' + SCOPE + '"');
    var headers = new Headers(missing.headers);
    headers.delete("Content-Length");
    return new Response(page, { status: 404, headers: headers });
  }
  return plain(404, "Not found.");
}

// Forget keys that the published keyring no longer matches, and answer as when locked.
async function relock(request, url, rel) {
  journal = null;
  await RJStore.remove(SITE);
  return request.mode === "navigate" ? handle(request, url, rel) : plain(401, "This journal is locked.");
}

function safeNext(next) {
  try {
    var url = new URL(next, SCOPE);
    if (url.origin === location.origin && url.href.indexOf(SCOPE) === 0) return url.href;
  } catch (e) {
    // fall through to the home page
  }
  return SCOPE;
}

function encodePath(path) {
  return path.split("/").map(encodeURIComponent).join("/");
}

function parseRange(value, length) {
  var match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  var start;
  var end;
  if (match[1] === "") {
    start = Math.max(length - Number(match[2]), 0);
    end = length - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? length - 1 : Math.min(Number(match[2]), length - 1);
  }
  if (start > end || start >= length) return { unsatisfiable: true };
  return { start: start, end: end };
}

function baseHeaders(path, length) {
  return {
    "Content-Type": RJDecrypt.typeOf(path),
    "Content-Length": String(length),
    "Accept-Ranges": "bytes",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    // A link out of the journal must not tell the other site which page it came from.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
  };
}

// As serve(), reading the build inventory again once when the file is not in it or not the
// version it lists: the coach may have published since this worker read it.
async function serveLatest(request, j, path) {
  try {
    var response = await serve(request, j, path);
    if (response) return response;
  } catch (error) {
    if (!(error instanceof DecryptError)) throw error;
  }
  j.refresh();
  return serve(request, j, path);
}

// The decrypted answer for `path`, or null when the journal has no such file.
async function serve(request, j, path) {
  var blob = await j.published(path);
  if (!blob) return null;
  var range = request.headers.get("Range");
  var header = range ? await j.header(blob) : null;
  if (range && !header) return null;
  if (header && !header.compressed) {
    // A byte range of a recording (a compressed text file is always answered whole).
    var wanted = parseRange(range, header.length);
    if (wanted && wanted.unsatisfiable) {
      return new Response(null, {
        status: 416,
        headers: { "Content-Range": "bytes */" + header.length },
      });
    }
    if (wanted) return servePart(request, j, blob, header, wanted);
  }
  var known = j.headers.get(blob.url);
  if (known && known.length > WHOLE_LIMIT && !known.compressed) {
    var stream = await j.range(blob, known, 0, known.length - 1);
    return new Response(request.method === "HEAD" ? null : stream, {
      status: 200,
      headers: baseHeaders(path, known.length),
    });
  }
  var file = await j.file(path);
  if (!file) return null;
  var data = file.bytes;
  if (file.type.indexOf("text/html") === 0) {
    var html = RJDecrypt.withLockButton(new TextDecoder().decode(data), SCOPE, SITE);
    data = new TextEncoder().encode(html);
  }
  return new Response(request.method === "HEAD" ? null : data, {
    status: 200,
    headers: baseHeaders(path, data.byteLength),
  });
}

// A 206 answer for the bytes `wanted` of a file, decrypting only the chunks they fall in.
async function servePart(request, j, blob, header, wanted) {
  var body = await j.range(blob, header, wanted.start, wanted.end);
  var partial = baseHeaders(blob.path, wanted.end - wanted.start + 1);
  partial["Content-Range"] = "bytes " + wanted.start + "-" + wanted.end + "/" + header.length;
  return new Response(request.method === "HEAD" ? null : body, { status: 206, headers: partial });
}

function plain(status, message) {
  return new Response(message, {
    status: status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function failure(request, error) {
  var tampered = error instanceof DecryptError;
  // A file of a newer format than this worker reads: the journal was published by a newer
  // version since this browser installed the worker. Fetch the new worker (it takes over at
  // once) and ask for a reload, rather than blame the file.
  var newer = tampered && /^unknown format version/.test(error.message);
  if (newer) self.registration.update().catch(function () {});
  var message = newer
    ? "It was published again since this browser last opened it. Reload the page to open " +
      "the new version."
    : tampered
    ? "This part of the journal could not be opened: it did not pass its integrity check " +
      "(" + error.message + "). It may have been changed after it was published; ask your " +
      "coach to publish the journal again."
    : "This part of the journal could not be loaded: " + (error && error.message ? error.message : error);
  var status = newer ? 503 : tampered ? 502 : 500;
  if (request.mode !== "navigate") return plain(status, message);
  var link = newer
    ? "<a href='" + escapeHtml(request.url) + "'>Reload</a>"
    : "<a href='" + SCOPE + "'>Back to the journal</a>";
  var page =
    "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<meta name=color-scheme content='light dark'>" +
    "<title>Journal error</title><body style='font-family:system-ui,sans-serif;max-width:36em;" +
    "margin:3em auto;padding:0 1em'><h1>" + (newer ? "Your journal was updated" : "Something is wrong") +
    "</h1><p id=rj-error></p><p>" + link + "</p>";
  return new Response(page.replace("<p id=rj-error></p>", "<p id=rj-error>" + escapeHtml(message) + "</p>"), {
    status: status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}
