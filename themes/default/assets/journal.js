// Recap Journal: what depends on today's date is computed in the browser, so that a built
// page stays byte-identical from day to day (and an encrypted site does not churn); and the
// session page's player: transcript lines and moments that seek, speed, skip and resume.
(function () {
  "use strict";
  var SPEED = "rj-speed";
  var POSITION = "rj-position:";

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
  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null; // storage turned off: nothing is remembered
    }
  }
  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) {
      // storage full or turned off: the player works, it just forgets
    }
  }

  function dates() {
    var now = today();
    document.querySelectorAll(".rj-due[data-due]").forEach(function (el) {
      var overdue = el.dataset.status === "open" && parse(el.dataset.due) < now;
      el.classList.toggle("rj-overdue", overdue);
    });
    document.querySelectorAll(".rj-since[data-start]").forEach(function (el) {
      el.textContent = span(parse(el.dataset.start), now);
    });
  }

  // The index of the last cue that starts at or before `time` (cues are in time order).
  function cueAt(starts, time) {
    var low = 0;
    var high = starts.length - 1;
    var found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (starts[mid] <= time + 0.05) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  // The moment a link asks for: `?t=750` (a timeline moment) or the first transcript line
  // holding the searched words (`?h=…`, added by Material's search to a result's link).
  function requestedStart(lines) {
    var params = new URLSearchParams(location.search);
    var t = parseFloat(params.get("t"));
    if (isFinite(t) && t >= 0) return { time: t };
    var words = (params.get("h") || "").toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return null;
    for (var i = 0; i < lines.length; i++) {
      var text = lines[i].textContent.toLowerCase();
      if (words.every(function (w) { return text.indexOf(w) >= 0; })) {
        return { time: parseFloat(lines[i].dataset.start), line: lines[i] };
      }
    }
    return null;
  }

  // Scroll the transcript box (never the page) so that `line` is in view.
  function show(line, scroll) {
    var box = line.closest(".rj-transcript");
    if (!scroll || !box) return;
    var top = line.offsetTop; // .rj-transcript is positioned: relative to the box
    if (top < box.scrollTop || top + line.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  function player() {
    var figure = document.querySelector(".rj-recording");
    var audio = figure && figure.querySelector("audio");
    var lines = Array.prototype.slice.call(document.querySelectorAll(".rj-cue[data-start]"));
    if (!audio) {
      var asked = requestedStart(lines);
      if (asked && asked.line) {
        show(asked.line, true);
        asked.line.classList.add("rj-found");
      }
      return;
    }
    var key = POSITION + location.pathname + (figure.dataset.key || "");
    var starts = lines.map(function (line) { return parseFloat(line.dataset.start); });
    var box = document.querySelector(".rj-transcript");
    var current = -1;

    var speed = figure.querySelector(".rj-speed select");
    var rate = stored(SPEED);
    if (speed) {
      if (rate && speed.querySelector('option[value="' + rate + '"]')) speed.value = rate;
      speed.addEventListener("change", function () {
        audio.playbackRate = parseFloat(speed.value);
        store(SPEED, speed.value);
      });
    }
    // Media loading resets playbackRate to defaultPlaybackRate: set both.
    var wanted = parseFloat((speed && speed.value) || "1");
    audio.defaultPlaybackRate = wanted;
    audio.playbackRate = wanted;

    function seek(time, play) {
      audio.currentTime = Math.max(0, time);
      if (play) {
        var playing = audio.play();
        if (playing && playing.catch) playing.catch(function () {}); // autoplay refused
      }
    }

    figure.querySelectorAll(".rj-skip").forEach(function (button) {
      button.addEventListener("click", function () {
        var end = isFinite(audio.duration) ? audio.duration : Infinity;
        audio.currentTime = Math.min(end, Math.max(0, audio.currentTime + +button.dataset.skip));
      });
    });
    document.querySelectorAll(".rj-seek[data-start]").forEach(function (button) {
      button.addEventListener("click", function () {
        seek(parseFloat(button.dataset.start), true);
      });
    });
    if (box) {
      box.addEventListener("click", function (event) {
        var line = event.target.closest(".rj-cue[data-start]");
        if (!line || event.target.closest("a")) return;
        if (window.getSelection && String(window.getSelection())) return; // selecting text
        seek(parseFloat(line.dataset.start), true);
      });
    }

    function highlight() {
      var index = cueAt(starts, audio.currentTime);
      if (index === current) return;
      if (current >= 0) {
        lines[current].classList.remove("rj-current");
        lines[current].removeAttribute("aria-current");
      }
      current = index;
      if (index >= 0) {
        lines[index].classList.add("rj-current");
        lines[index].setAttribute("aria-current", "true");
        show(lines[index], !audio.paused);
      }
    }

    var saved = 0;
    audio.addEventListener("timeupdate", function () {
      highlight();
      if (Math.abs(audio.currentTime - saved) >= 5) {
        saved = audio.currentTime;
        store(key, String(Math.floor(saved)));
      }
    });
    function keep() {
      if (!audio.ended) store(key, String(Math.floor(audio.currentTime)));
    }
    audio.addEventListener("seeked", function () {
      highlight();
      if (audio.paused) keep(); // a skip or a tap on a line while paused is where to resume
    });
    audio.addEventListener("pause", keep);
    window.addEventListener("pagehide", function () {
      if (document.contains(audio) && audio.currentTime > 0) keep();
    });
    audio.addEventListener("ended", function () {
      store(key, null); // finished: the next visit starts from the beginning
    });

    var download = figure.querySelector("a.rj-download");
    if (download) download.addEventListener("click", function (event) {
      // The recording is decrypted on its way in; a blob: link hands the browser the plain
      // file to save (a download answered by the service worker can be cancelled midway).
      if (download.dataset.ready) return;
      event.preventDefault();
      download.setAttribute("aria-busy", "true");
      // Without a service worker the page decrypted the recording into a blob: URL itself.
      var source = /^blob:/.test(audio.currentSrc) ? audio.currentSrc : download.href;
      fetch(source)
        .then(function (answer) {
          if (!answer.ok) throw new Error(answer.status);
          return answer.blob();
        })
        .then(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = download.getAttribute("download") || "";
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
        })
        .catch(function () {
          download.dataset.ready = "1"; // let the browser try the plain link
          download.click();
        })
        .then(function () { download.removeAttribute("aria-busy"); });
    });

    var asked = requestedStart(lines);
    var resume = parseFloat(stored(key) || "");
    var start = asked ? asked.time : isFinite(resume) && resume > 5 ? resume : null;
    if (asked && asked.line) {
      show(asked.line, true);
      asked.line.classList.add("rj-found");
    }
    if (start !== null) {
      var apply = function () {
        if (!asked && isFinite(audio.duration) && start > audio.duration - 5) return;
        audio.currentTime = start;
        highlight();
      };
      if (audio.readyState >= 1) apply();
      else audio.addEventListener("loadedmetadata", apply, { once: true });
    }
  }

  // Material's menu and search buttons are <label>s for hidden checkboxes: reachable by
  // pointer only. Give them a name, a role and the keyboard; name the search dialog.
  function keyboard() {
    var names = { __drawer: "Menu", __search: "Search" };
    document.querySelectorAll("label.md-header__button[for]").forEach(function (label) {
      var name = names[label.htmlFor];
      if (!name || label.dataset.rjKeyboard) return;
      label.dataset.rjKeyboard = "1";
      label.setAttribute("role", "button");
      label.setAttribute("tabindex", "0");
      label.setAttribute("aria-label", name);
    });
    if (!window.rjKeyboard) {
      window.rjKeyboard = true;
      // Captured on the document, before Material's own keyboard handling sees the key.
      document.addEventListener("keydown", function (event) {
        var label = event.target.closest && event.target.closest("label.md-header__button[for]");
        if (!label || (event.key !== "Enter" && event.key !== " ")) return;
        event.preventDefault();
        event.stopPropagation();
        var box = document.getElementById(label.htmlFor);
        if (!box) return;
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        if (label.htmlFor === "__search") {
          var input = document.querySelector(".md-search__input");
          if (input) input.focus();
        } else if (box.checked) {
          var links = document.querySelectorAll(".md-sidebar--primary a.md-nav__link");
          var first = Array.prototype.find.call(links, function (a) { return a.offsetWidth > 0; });
          if (first) setTimeout(function () { first.focus(); }, 300); // after the slide-in
        }
      }, true);
    }
    var dialog = document.querySelector(".md-search[role=dialog]");
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search");
  }

  function printing() {
    document.querySelectorAll("button.rj-print").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // On paper a link prints its address, which helps for a link out of the journal; the
    // journal's own (opaque) page addresses would be noise.
    document.querySelectorAll(".md-typeset a[href]").forEach(function (a) {
      if (a.host === location.host) a.classList.add("rj-internal");
    });
  }

  // A one-tap link opened on a device where the journal is already open lands here, not on
  // the unlock page: its password leaves the address bar all the same.
  function forgetLink() {
    if (/^#k=/.test(location.hash)) {
      history.replaceState(history.state, "", location.pathname + location.search);
    }
  }
  forgetLink();

  function refresh() {
    forgetLink();
    keyboard();
    printing();
    dates();
    player();
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(refresh); // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", refresh);
  }
})();
