// Recap Journal: the service worker that decrypts a journal in the browser.
//
// For every request inside its scope, except the public files (the unlock page's own files
// and Material's assets), it computes the blob name HMAC(K_name, path), fetches `b/<name>`,
// checks and decrypts its AES-GCM chunks and answers with the plain file. Range requests
// (the audio player's) get 206 answers that fetch and decrypt only the chunks they need.
// Without keys, a page request is sent to the unlock page with the link remembered.
// The blob format is described in generator/blobs.py.
"use strict";

importScripts("keystore.js");

// Filled in by the build: the files of this folder that are published unencrypted.
var PUBLIC = new Set(/*RJ_PUBLIC*/ []);
var SITE = new URL(location.href).searchParams.get("site");
var SCOPE = self.registration.scope;
var SCOPE_PATH = new URL(SCOPE).pathname;
var HEADER_BYTES = 16;
var OVERHEAD = 28; // nonce 12 + tag 16
var WHOLE_LIMIT = 4 * 1024 * 1024; // decrypt smaller files whole before answering
var text = new TextEncoder();
// Decrypted pages load nothing from another origin and cannot be framed (a page of another
// site showing the journal in a frame could trick the visitor into clicks).
var CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; " +
  "connect-src 'self'; worker-src 'self' blob:; frame-src 'none'; object-src 'none'; " +
  "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
var SITE_BYTES = text.encode(SITE || "");
var TYPES = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  xml: "application/xml",
  txt: "text/plain; charset=utf-8",
  md: "text/plain; charset=utf-8",
  vtt: "text/vtt; charset=utf-8",
  srt: "text/plain; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/x-icon",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
  mp4: "video/mp4",
  webm: "video/webm",
  pdf: "application/pdf",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  gz: "application/gzip",
  webmanifest: "application/manifest+json",
};

var keys = null; // the unlocked keys, kept in memory while this worker runs
var headers = new Map(); // blob name → parsed header, for range requests

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "lock" || data.type === "keys-changed") {
    keys = null;
    headers.clear();
  }
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

async function currentKeys() {
  if (keys && RJStore.valid(keys, undefined)) return keys;
  keys = null;
  var record = await RJStore.get(SITE);
  if (!record) return null;
  if (!RJStore.valid(record, await visitCookie()) || !(await stillPublished(record))) {
    await RJStore.remove(SITE);
    return null;
  }
  keys = record;
  return keys;
}

// False when the journal now has another key (a password was changed or removed): the
// remembered one is dropped and the visitor sees the unlock page.
function stillPublished(record) {
  return RJStore.matches(record, SCOPE + "keyring.json");
}

async function handle(request, url, rel) {
  var navigate = request.mode === "navigate";
  var k = await currentKeys();
  if (!k) {
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
  var response = await serve(request, k, path);
  if (response) return response;
  // A folder asked for without its slash: send the browser to the slashed address.
  var last = path.split("/").pop();
  if (last.indexOf(".") < 0 && (await exists(k, path + "/index.html"))) {
    return Response.redirect(SCOPE + encodePath(path) + "/" + url.search, 301);
  }
  if (!(await stillPublished(k))) {
    keys = null;
    headers.clear();
    await RJStore.remove(SITE);
    return navigate ? handle(request, url, rel) : plain(401, "This journal is locked.");
  }
  var missing = navigate ? await serve(new Request(SCOPE), k, "404.html") : null;
  if (missing) {
    return new Response(missing.body, { status: 404, headers: missing.headers });
  }
  return plain(404, "Not found.");
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

// ---- blobs ---------------------------------------------------------------------------

async function pathMac(k, path) {
  return new Uint8Array(await crypto.subtle.sign("HMAC", k.name, text.encode(path)));
}

var BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

function base32(data) {
  var out = "";
  var bits = 0;
  var value = 0;
  for (var i = 0; i < data.length; i++) {
    value = (value << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

async function blobOf(k, path) {
  var mac = await pathMac(k, path);
  return { path: path, mac: mac, url: SCOPE + "b/" + base32(mac.subarray(0, 20)) };
}

async function exists(k, path) {
  var blob = await blobOf(k, path);
  var response = await fetch(blob.url, { method: "HEAD" });
  return response.ok;
}

function parseHeader(raw) {
  if (raw.length < HEADER_BYTES || raw[0] !== 82 || raw[1] !== 74 || raw[2] !== 49) {
    throw new DecryptError("not a journal file");
  }
  if (raw[3] !== 1) throw new DecryptError("unknown format version " + raw[3]);
  var view = new DataView(raw.buffer, raw.byteOffset, HEADER_BYTES);
  var chunkSize = view.getUint32(4);
  var length = view.getUint32(8) * 4294967296 + view.getUint32(12);
  if (!chunkSize) throw new DecryptError("bad chunk size");
  return {
    bytes: raw.slice(0, HEADER_BYTES),
    chunkSize: chunkSize,
    length: length,
    count: Math.max(1, Math.ceil(length / chunkSize)),
  };
}

function chunkOffset(header, index) {
  return HEADER_BYTES + index * (header.chunkSize + OVERHEAD);
}

function chunkPlainSize(header, index) {
  return Math.min(header.chunkSize, header.length - index * header.chunkSize);
}

function DecryptError(message) {
  this.name = "DecryptError";
  this.message = message;
}

async function openChunk(k, blob, header, index, sealed) {
  var aad = new Uint8Array(HEADER_BYTES + SITE_BYTES.length + 32 + 9);
  aad.set(header.bytes, 0);
  aad.set(SITE_BYTES, HEADER_BYTES);
  aad.set(blob.mac, HEADER_BYTES + SITE_BYTES.length);
  var view = new DataView(aad.buffer, HEADER_BYTES + SITE_BYTES.length + 32, 9);
  view.setUint32(0, Math.floor(index / 4294967296));
  view.setUint32(4, index >>> 0);
  view.setUint8(8, index === header.count - 1 ? 1 : 0);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: sealed.subarray(0, 12), additionalData: aad },
        k.enc,
        sealed.subarray(12)
      )
    );
  } catch (e) {
    throw new DecryptError("part " + index + " of " + blob.path + " fails its check");
  }
}

// Reads a response body as exact-size pieces: skip `skip` bytes, then `sizes` one by one.
function pieces(body, skip) {
  var reader = body.getReader();
  var buffer = new Uint8Array(0);
  async function fill(n) {
    while (buffer.length < n) {
      var step = await reader.read();
      if (step.done) throw new DecryptError("the file ends early (truncated)");
      var joined = new Uint8Array(buffer.length + step.value.length);
      joined.set(buffer, 0);
      joined.set(step.value, buffer.length);
      buffer = joined;
    }
  }
  return {
    next: async function (size) {
      while (skip > 0) {
        await fill(Math.min(skip, 1));
        var drop = Math.min(skip, buffer.length);
        buffer = buffer.subarray(drop);
        skip -= drop;
      }
      await fill(size);
      var piece = buffer.slice(0, size);
      buffer = buffer.subarray(size);
      return piece;
    },
    cancel: function () {
      reader.cancel().catch(function () {});
    },
  };
}

// Plaintext bytes [start, end] (inclusive) as a stream. The first chunk is decrypted before
// the stream is returned, so a tampered file gives an error answer rather than a broken one.
async function decryptRange(k, blob, header, start, end) {
  var first = Math.floor(start / header.chunkSize);
  var last = Math.floor(end / header.chunkSize);
  var from = chunkOffset(header, first);
  var to = chunkOffset(header, last) + chunkPlainSize(header, last) + OVERHEAD - 1;
  var response = await fetch(blob.url, { headers: { Range: "bytes=" + from + "-" + to } });
  if (!response.ok) throw new DecryptError("HTTP " + response.status + " for " + blob.path);
  // A host that ignores Range answers 200 with the whole blob: skip to the first chunk.
  var reader = pieces(response.body, response.status === 206 ? 0 : from);
  var index = first;
  async function nextPlain() {
    var sealed = await reader.next(chunkPlainSize(header, index) + OVERHEAD);
    var data = await openChunk(k, blob, header, index, sealed);
    var base = index * header.chunkSize;
    var lo = Math.max(start - base, 0);
    var hi = Math.min(end - base + 1, data.length);
    index += 1;
    return data.subarray(lo, hi);
  }
  var head;
  try {
    head = await nextPlain();
  } catch (error) {
    reader.cancel();
    throw error;
  }
  return new ReadableStream({
    start: function (controller) {
      controller.enqueue(head);
      if (index > last) controller.close();
    },
    pull: async function (controller) {
      try {
        controller.enqueue(await nextPlain());
        if (index > last) controller.close();
      } catch (error) {
        reader.cancel();
        controller.error(error);
      }
    },
    cancel: function () {
      reader.cancel();
    },
  });
}

async function readHeader(blob) {
  if (headers.has(blob.url)) return headers.get(blob.url);
  var response = await fetch(blob.url, { headers: { Range: "bytes=0-" + (HEADER_BYTES - 1) } });
  if (response.status === 404) return null;
  if (!response.ok) throw new DecryptError("HTTP " + response.status + " for " + blob.path);
  var reader = pieces(response.body, 0);
  var header = parseHeader(await reader.next(HEADER_BYTES));
  reader.cancel();
  headers.set(blob.url, header);
  return header;
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

function typeOf(path) {
  var name = path.split("/").pop();
  var dot = name.lastIndexOf(".");
  return TYPES[dot < 0 ? "" : name.slice(dot + 1).toLowerCase()] || "application/octet-stream";
}

function baseHeaders(path, length) {
  return {
    "Content-Type": typeOf(path),
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

// The decrypted answer for `path`, or null when the journal has no such file.
async function serve(request, k, path) {
  var blob = await blobOf(k, path);
  var range = request.headers.get("Range");
  if (range) {
    var header = await readHeader(blob);
    if (!header) return null;
    var wanted = parseRange(range, header.length);
    if (wanted && wanted.unsatisfiable) {
      return new Response(null, {
        status: 416,
        headers: { "Content-Range": "bytes */" + header.length },
      });
    }
    if (wanted) {
      var body;
      try {
        body = await decryptRange(k, blob, header, wanted.start, wanted.end);
      } catch (error) {
        if (!(error instanceof DecryptError)) throw error;
        headers.delete(blob.url); // perhaps a newer build: read its header again, once
        var fresh = await readHeader(blob);
        if (!fresh) return null;
        body = await decryptRange(k, blob, fresh, wanted.start, wanted.end);
        header = fresh;
      }
      var partial = baseHeaders(path, wanted.end - wanted.start + 1);
      partial["Content-Range"] = "bytes " + wanted.start + "-" + wanted.end + "/" + header.length;
      return new Response(request.method === "HEAD" ? null : body, {
        status: 206,
        headers: partial,
      });
    }
  }
  var response = await fetch(blob.url);
  if (response.status === 404) return null;
  if (!response.ok) throw new DecryptError("HTTP " + response.status + " for " + path);
  var reader = pieces(response.body, 0);
  var whole = parseHeader(await reader.next(HEADER_BYTES));
  headers.set(blob.url, whole);
  var type = typeOf(path);
  if (whole.length <= WHOLE_LIMIT) {
    var parts = [];
    for (var i = 0; i < whole.count; i++) {
      parts.push(await openChunk(k, blob, whole, i, await reader.next(chunkPlainSize(whole, i) + OVERHEAD)));
    }
    var data = await new Blob(parts).arrayBuffer();
    if (type.indexOf("text/html") === 0) data = withLockButton(data);
    return new Response(request.method === "HEAD" ? null : data, {
      status: 200,
      headers: baseHeaders(path, data.byteLength),
    });
  }
  reader.cancel();
  var stream = await decryptRange(k, blob, whole, 0, whole.length - 1);
  return new Response(request.method === "HEAD" ? null : stream, {
    status: 200,
    headers: baseHeaders(path, whole.length),
  });
}

// Every journal page gets the "Lock" button (lock.js), without any change to the theme.
function withLockButton(data) {
  var html = new TextDecoder().decode(data);
  var tag =
    '<script src="' + SCOPE + 'keystore.js"></script>' +
    '<script src="' + SCOPE + 'lock.js" data-site="' + SITE + '"></script>';
  var at = html.lastIndexOf("</body>");
  html = at < 0 ? html + tag : html.slice(0, at) + tag + html.slice(at);
  return text.encode(html).buffer;
}

function plain(status, message) {
  return new Response(message, {
    status: status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function failure(request, error) {
  var tampered = error instanceof DecryptError;
  var message = tampered
    ? "This part of the journal could not be opened: it did not pass its integrity check " +
      "(" + error.message + "). It may have been changed after it was published; ask your " +
      "coach to publish the journal again."
    : "This part of the journal could not be loaded: " + (error && error.message ? error.message : error);
  if (request.mode !== "navigate") return plain(tampered ? 502 : 500, message);
  var page =
    "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>Journal error</title><body style='font-family:system-ui,sans-serif;max-width:36em;" +
    "margin:3em auto;padding:0 1em'><h1>Something is wrong</h1><p id=rj-error></p>" +
    "<p><a href='" + SCOPE + "'>Back to the journal</a></p>";
  return new Response(page.replace("<p id=rj-error></p>", "<p id=rj-error>" + escapeHtml(message) + "</p>"), {
    status: tampered ? 502 : 500,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}
