// Recap Journal: reading the encrypted files of a journal, shared by the service worker
// (sw.js) and the in-page mode (inpage.js) so that both decrypt with exactly the same code.
//
// A file at `path` of the plain site is the blob `b/<base32(HMAC(K_name, path)[:20])>`:
//   header   "RJ1" ‖ 3 ‖ chunk size (u32) ‖ blob size (u64)                          16 bytes
//   length   nonce (12) ‖ AES-GCM(K_enc, sealed, aad_len) ‖ tag (16)                 37 bytes
//   sealed   payload length (u64) ‖ deflated (1 byte)
//   chunk i  nonce (12) ‖ AES-GCM(K_enc, chunk i of the payload, aad_i) ‖ tag (16)
//   padding  up to the blob size (a bucket: the host sees no exact length), never read
//   aad_len  header ‖ site id ‖ HMAC(K_name, path) ‖ "length"
//   aad_i    header ‖ site id ‖ HMAC(K_name, path) ‖ sealed ‖ i (u64) ‖ is_last (1 byte)
// A deflated payload is the file compressed with zlib (pages, search index, sitemap: inflated
// here after decryption, and always read whole); any other is the file as it is (recordings,
// pictures: read by byte range). Older blobs still open: version 1 (the file as it is) and 2
// (compressed) have the plaintext length in the header, no length block, no padding, and
// `header ‖ site id ‖ mac ‖ i ‖ is_last` as the AAD. The build side and the reasons are in
// generator/protection/blobs.py. Every file is checked against the build's inventory
// (generator/protection/inventory.py): each part's nonce must be the one listed for it, a file
// the inventory does not list is not the journal's, and an inventory older than one this
// device has seen is refused.
(function (root) {
  "use strict";
  var HEADER_BYTES = 16;
  var OVERHEAD = 28; // nonce 12 + tag 16
  var SEALED_BYTES = 9; // the length block's plaintext: length (u64) ‖ deflated (1 byte)
  var START = HEADER_BYTES + 12 + SEALED_BYTES + 16; // where chunk 0 of a version 3 blob begins
  var BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
  var text = new TextEncoder();
  // The browser's own fetch, taken before the in-page mode wraps the page's (inpage.js).
  var fetch = root.fetch.bind(root);
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

  // A file that fails its check: tampered with, truncated, or not this journal's.
  function DecryptError(message) {
    this.name = "DecryptError";
    this.message = message;
  }

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

  function typeOf(path) {
    var name = path.split("/").pop();
    var dot = name.lastIndexOf(".");
    return TYPES[dot < 0 ? "" : name.slice(dot + 1).toLowerCase()] || "application/octet-stream";
  }

  function joined(parts) {
    var size = parts.reduce(function (sum, part) { return sum + part.length; }, 0);
    var out = new Uint8Array(size);
    var at = 0;
    parts.forEach(function (part) {
      out.set(part, at);
      at += part.length;
    });
    return out;
  }

  function u64(value) {
    var out = new Uint8Array(8);
    var view = new DataView(out.buffer);
    view.setUint32(0, Math.floor(value / 4294967296));
    view.setUint32(4, value >>> 0);
    return out;
  }

  function readU64(bytes, at) {
    var view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
    return view.getUint32(0) * 4294967296 + view.getUint32(4);
  }

  // A blob's layout: {bytes (its header), version, chunkSize, length (of the payload),
  // count (chunks), compressed, start (where chunk 0 begins), sealed (the length block's
  // plaintext, bound into every chunk: version 3), first (the inventory's index of chunk 0)}.
  function layout(raw, version, length, compressed, sealed) {
    var chunkSize = new DataView(raw.buffer, raw.byteOffset, HEADER_BYTES).getUint32(4);
    if (!chunkSize) throw new DecryptError("bad chunk size");
    return {
      bytes: raw.slice(0, HEADER_BYTES),
      version: version,
      chunkSize: chunkSize,
      length: length,
      count: Math.max(1, Math.ceil(length / chunkSize)),
      compressed: compressed, // whole files only: its byte ranges are not the file's
      start: sealed ? START : HEADER_BYTES,
      sealed: sealed,
      first: sealed ? 1 : 0,
    };
  }

  function chunkOffset(header, index) {
    return header.start + index * (header.chunkSize + OVERHEAD);
  }

  function chunkPlainSize(header, index) {
    return Math.min(header.chunkSize, header.length - index * header.chunkSize);
  }

  // Reads a response body as exact-size pieces: skip `skip` bytes, then `next(size)` each.
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
          await fill(1);
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

  // One journal's files under `keys` ({enc, name}: non-extractable CryptoKeys), for the site
  // id `site`, whose folder on the host is `scope` (an absolute URL ending in "/").
  function Journal(keys, site, scope) {
    this.keys = keys;
    this.site = site;
    this.scope = scope;
    this.siteBytes = text.encode(site);
    this.headers = new Map(); // blob URL → parsed header, for range requests
    this.inventory = null; // promise of {build, files: Map(path → nonces)}
    this.cacheMode = "default"; // "no-cache" once a file was found stale (see refresh)
  }

  var INVENTORY = ".rj/inventory.json";

  function decode64(value) {
    var raw = atob(value);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  // The build's inventory, read once; refused when older than one this device has seen.
  Journal.prototype.ready = function () {
    var journal = this;
    if (!this.inventory) {
      this.inventory = (async function () {
        var found = await journal.read(INVENTORY, null);
        if (!found) throw new DecryptError("the journal's list of files is missing");
        var data = JSON.parse(new TextDecoder().decode(found.bytes));
        if (data.format !== 1) throw new DecryptError("unknown list of files");
        var files = new Map();
        Object.keys(data.files).forEach(function (path) {
          files.set(path, decode64(data.files[path]));
        });
        var store = root.RJStore;
        var key = "build:" + journal.site;
        var seen = store ? await store.get(key).catch(function () { return 0; }) : 0;
        if (seen && data.build < seen) {
          throw new DecryptError("this copy of the journal is older (build " + data.build +
            ") than one this device has already opened (build " + seen + ")");
        }
        if (store && data.build > (seen || 0)) await store.put(key, data.build).catch(function () {});
        return { build: data.build, files: files };
      })();
      this.inventory.catch(function () {
        journal.inventory = null; // try again on the next request
      });
    }
    return this.inventory;
  };

  // Forget the inventory and headers read so far (a newer build may be on the host), and
  // from now on check every file with the host rather than take the browser's cached copy.
  Journal.prototype.refresh = function () {
    this.inventory = null;
    this.headers.clear();
    this.cacheMode = "no-cache";
  };

  // The nonces the inventory lists for `path` (null: not a file of this journal).
  Journal.prototype.listed = async function (path) {
    return (await this.ready()).files.get(path) || null;
  };

  // Where the file at `path` lives: {path, mac, url, nonces (from the inventory)}.
  Journal.prototype.blob = async function (path, nonces) {
    var mac = new Uint8Array(await crypto.subtle.sign("HMAC", this.keys.name, text.encode(path)));
    var url = this.scope + "b/" + base32(mac.subarray(0, 20));
    return { path: path, mac: mac, url: url, nonces: nonces || null };
  };

  // The blob of a file the inventory lists, or null for any other path.
  Journal.prototype.published = async function (path) {
    var nonces = await this.listed(path);
    return nonces ? this.blob(path, nonces) : null;
  };

  Journal.prototype.exists = async function (path) {
    return (await this.listed(path)) !== null;
  };

  // Decrypt one sealed part; `expected` is its nonce from the inventory (null: not checked).
  Journal.prototype.open = async function (sealed, aad, what, expected) {
    if (expected) {
      for (var n = 0; n < 12; n++) {
        if (sealed[n] !== expected[n]) throw new DecryptError(what + " is not the published version");
      }
    }
    try {
      return new Uint8Array(
        await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: sealed.subarray(0, 12), additionalData: aad },
          this.keys.enc,
          sealed.subarray(12)
        )
      );
    } catch (e) {
      throw new DecryptError(what + " fails its check");
    }
  };

  // The inventory's nonce for part `index` of a blob (the length block is part 0 of a
  // version 3 blob), or null when the blob is not checked against the inventory.
  function listedNonce(blob, index) {
    if (!blob.nonces) return null;
    var at = index * 12;
    if (blob.nonces.length < at + 12) throw new DecryptError(blob.path + " is longer than published");
    return blob.nonces.subarray(at, at + 12);
  }

  // The layout of a blob read from `reader` (its header, and for version 3 its length block,
  // opened and checked: a header from another file or version fails here).
  Journal.prototype.start = async function (blob, reader) {
    var raw = await reader.next(HEADER_BYTES);
    if (raw[0] !== 82 || raw[1] !== 74 || raw[2] !== 49) throw new DecryptError("not a journal file");
    var version = raw[3];
    if (version === 1 || version === 2) return layout(raw, version, readU64(raw, 8), version === 2, null);
    if (version !== 3) throw new DecryptError("unknown format version " + version);
    var sealed = await reader.next(START - HEADER_BYTES);
    var aad = joined([raw, this.siteBytes, blob.mac, text.encode("length")]);
    var plain = await this.open(sealed, aad, "the length of " + blob.path, listedNonce(blob, 0));
    if (plain[8] > 1) throw new DecryptError("unknown kind of content in " + blob.path);
    return layout(raw, version, readU64(plain, 0), plain[8] === 1, plain);
  };

  Journal.prototype.openChunk = function (blob, header, index, sealed) {
    var last = new Uint8Array([index === header.count - 1 ? 1 : 0]);
    var where = joined([u64(index), last]);
    var parts = [header.bytes, this.siteBytes, blob.mac];
    if (header.sealed) parts.push(header.sealed);
    parts.push(where);
    var what = "part " + index + " of " + blob.path;
    return this.open(sealed, joined(parts), what, listedNonce(blob, header.first + index));
  };

  // The header of a blob (one small Range request), or null when the journal has no such file.
  Journal.prototype.header = async function (blob) {
    if (this.headers.has(blob.url)) return this.headers.get(blob.url);
    var response = await fetch(blob.url, {
      headers: { Range: "bytes=0-" + (START - 1) },
      cache: this.cacheMode,
    });
    if (response.status === 404) return null;
    if (!response.ok) throw new DecryptError("HTTP " + response.status + " for " + blob.path);
    var reader = pieces(response.body, 0);
    var header;
    try {
      header = await this.start(blob, reader);
    } finally {
      reader.cancel();
    }
    this.headers.set(blob.url, header);
    return header;
  };

  // The whole plaintext of the file at `path` as {bytes, type}, or null when the journal has
  // no such file. The one place a whole file is read, so the one place it is inflated.
  Journal.prototype.file = async function (path) {
    var blob = await this.published(path);
    return blob ? this.read(path, blob) : null;
  };

  // The file at `path` read and decrypted whole (`blob` null: the inventory itself).
  Journal.prototype.read = async function (path, blob) {
    blob = blob || (await this.blob(path));
    // The inventory is always asked for afresh (a host may let browsers keep files minutes).
    var response = await fetch(blob.url, { cache: path === INVENTORY ? "no-store" : this.cacheMode });
    if (response.status === 404) return null;
    if (!response.ok) throw new DecryptError("HTTP " + response.status + " for " + path);
    var reader = pieces(response.body, 0);
    var bytes;
    try {
      var header = await this.start(blob, reader);
      this.headers.set(blob.url, header);
      bytes = new Uint8Array(header.length);
      for (var i = 0; i < header.count; i++) {
        var sealed = await reader.next(chunkPlainSize(header, i) + OVERHEAD);
        bytes.set(await this.openChunk(blob, header, i, sealed), i * header.chunkSize);
      }
    } finally {
      reader.cancel(); // the padding, if any, is never read
    }
    if (header.compressed) bytes = await inflate(bytes, path);
    return { bytes: bytes, type: typeOf(path) };
  };

  // Plaintext bytes [start, end] (inclusive) as a stream, fetching only the chunks needed.
  // The first chunk is decrypted before the stream is returned, so a tampered file gives an
  // error rather than a broken answer.
  Journal.prototype.range = async function (blob, header, start, end) {
    var journal = this;
    var first = Math.floor(start / header.chunkSize);
    var last = Math.floor(end / header.chunkSize);
    var from = chunkOffset(header, first);
    var to = chunkOffset(header, last) + chunkPlainSize(header, last) + OVERHEAD - 1;
    var response = await fetch(blob.url, {
      headers: { Range: "bytes=" + from + "-" + to },
      cache: this.cacheMode,
    });
    if (!response.ok) throw new DecryptError("HTTP " + response.status + " for " + blob.path);
    // A host that ignores Range answers 200 with the whole blob: skip to the first chunk.
    var reader = pieces(response.body, response.status === 206 ? 0 : from);
    var index = first;
    async function nextPlain() {
      var sealed = await reader.next(chunkPlainSize(header, index) + OVERHEAD);
      var data = await journal.openChunk(blob, header, index, sealed);
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
  };

  async function inflate(bytes, path) {
    try {
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (e) {
      throw new DecryptError(path + " is damaged (it does not inflate)");
    }
  }

  // Every journal page gets the "Lock" button (lock.js), without any change to the theme.
  function withLockButton(html, scope, site) {
    var tag =
      '<script src="' + scope + 'keystore.js"></script>' +
      '<script src="' + scope + 'lock.js" data-site="' + site + '"></script>';
    var at = html.lastIndexOf("</body>");
    return at < 0 ? html + tag : html.slice(0, at) + tag + html.slice(at);
  }

  root.RJDecrypt = {
    DecryptError: DecryptError,
    Journal: Journal,
    typeOf: typeOf,
    withLockButton: withLockButton,
  };
})(self);
