/* Kernel-free explorer for "Attention, Hands-On" (transformer_lib.views).
 * Self-contained: no require.js, no CDN. Reads a JSON <script> next to it: either precomputed
 * frames, or the name of an in-page program and its data (then each frame is computed here, see
 * PROGRAMS below). Redraws SVG panels when a control moves. All text goes in through
 * textContent / setAttribute, never as markup, so a token that looks like an HTML tag is shown,
 * not run. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]]; // viridis
  function color(t) {
    if (!isFinite(t)) return "rgb(220,220,220)";
    t = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
    var i = Math.min(Math.floor(t), STOPS.length - 2), f = t - i, a = STOPS[i], b = STOPS[i + 1];
    return "rgb(" + [0, 1, 2].map(function (k) { return Math.round(a[k] + f * (b[k] - a[k])); }).join(",") + ")";
  }
  function el(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(v, d) { return (v === null || !isFinite(v)) ? String(v) : Number(v).toFixed(d); }
  function label(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  function heatmap(p) {
    var rows = p.z.length, cols = rows ? p.z[0].length : 0;
    var cell = Math.max(8, Math.min(40, Math.floor(440 / Math.max(rows, cols, 1))));
    var showY = p.y && p.y.length, showX = p.x && p.x.length;
    var left = showY ? 80 : 30, top = showX ? 70 : 20, W = left + cols * cell + 10, H = top + rows * cell + 30;
    // a long axis label must not be cut at either edge: widen the picture to hold it (about 6.5 px a character)
    var xlabelHalf = p.xlabel ? String(p.xlabel).length * 3.25 + 4 : 0, xlabelAt = Math.max(left + cols * cell / 2, xlabelHalf);
    W = Math.max(W, xlabelAt + xlabelHalf);
    var svg = el("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H, "class": "aho-panel"});
    var vmin = p.vmin, vmax = p.vmax, flat = [].concat.apply([], p.z).filter(isFinite);
    if (vmin === null || vmin === undefined) vmin = Math.min.apply(null, flat);
    if (vmax === null || vmax === undefined) vmax = Math.max.apply(null, flat);
    var span = (vmax - vmin) || 1, annotate = p.decimals !== null && p.decimals !== undefined && cell >= 26;
    var cells = [];
    for (var r = 0; r < rows; r++) {
      cells.push([]);
      for (var c = 0; c < cols; c++) {
        var v = p.z[r][c], t = (v - vmin) / span;
        var rect = el("rect", {x: left + c * cell, y: top + r * cell, width: cell, height: cell, fill: color(t), "data-row": r});
        rect.appendChild(el("title", {}, (showY ? p.y[r] : r) + " \u2192 " + (showX ? p.x[c] : c) + ": " + fmt(v, 3)));
        svg.appendChild(rect); cells[r].push(rect);
        if (annotate) svg.appendChild(el("text", {x: left + c * cell + cell / 2, y: top + r * cell + cell / 2 + 4,
          "text-anchor": "middle", "font-size": 10, fill: t > 0.6 ? "#000" : "#fff", "pointer-events": "none"}, fmt(v, p.decimals)));
      }
    }
    var step = Math.max(1, Math.ceil(12 / cell));
    if (showY) p.y.forEach(function (s, r) {
      if (r % step) return;
      var t = el("text", {x: left - 4, y: top + r * cell + cell / 2 + 4, "text-anchor": "end", "font-size": 11, "class": "aho-rowlabel"}, label(s, 12));
      t.style.cursor = "pointer";
      t.addEventListener("mouseenter", function () { cells.forEach(function (row, i) { row.forEach(function (e) { e.setAttribute("opacity", i === r ? 1 : 0.25); }); }); });
      t.addEventListener("mouseleave", function () { cells.forEach(function (row) { row.forEach(function (e) { e.setAttribute("opacity", 1); }); }); });
      svg.appendChild(t);
    });
    if (showX) p.x.forEach(function (s, c) {
      if (c % step) return;
      var x = left + c * cell + cell / 2, y = top - 4;
      svg.appendChild(el("text", {x: x, y: y, "font-size": 11, transform: "rotate(-60 " + x + " " + y + ")"}, label(s, 12)));
    });
    if (p.xlabel) svg.appendChild(el("text", {x: xlabelAt, y: H - 8, "text-anchor": "middle", "font-size": 12}, p.xlabel));
    if (p.ylabel) svg.appendChild(el("text", {x: 12, y: top + rows * cell / 2, "text-anchor": "middle", "font-size": 12,
      transform: "rotate(-90 12 " + (top + rows * cell / 2) + ")"}, p.ylabel));
    return svg;
  }

  function bars(p) {
    var n = p.values.length, bw = Math.max(14, Math.min(48, Math.floor(440 / Math.max(n, 1))));
    var left = 40, top = 16, h = 140, W = left + n * bw + 10, H = top + h + 80;
    var svg = el("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H, "class": "aho-panel"});
    var vmax = (p.vmax === null || p.vmax === undefined) ? Math.max.apply(null, p.values.concat([1e-12])) : p.vmax;
    svg.appendChild(el("line", {x1: left, y1: top + h, x2: left + n * bw, y2: top + h, stroke: "#444"}));
    svg.appendChild(el("text", {x: left - 4, y: top + 4, "text-anchor": "end", "font-size": 10}, fmt(vmax, 2)));
    svg.appendChild(el("text", {x: left - 4, y: top + h, "text-anchor": "end", "font-size": 10}, "0"));
    p.values.forEach(function (v, i) {
      var bh = Math.max(0, v / vmax) * h, x = left + i * bw;
      var hl = p.highlight && p.highlight.indexOf(i) >= 0;
      // data-value carries the exact number the bar is drawn from (the tooltip rounds it), and the
      // class says which bars are highlighted: the drawing's data, readable without reverse-
      // engineering pixels or colours (tests/browser/test_browser_gpt_sampling.py reads both).
      var rect = el("rect", {x: x + 2, y: top + h - bh, width: bw - 4, height: bh, fill: hl ? "#d62728" : "#1f77b4",
        "class": hl ? "aho-bar aho-highlight" : "aho-bar", "data-value": String(v)});
      rect.appendChild(el("title", {}, p.labels[i] + ": " + fmt(v, 3)));
      svg.appendChild(rect);
      if (bw >= 28) svg.appendChild(el("text", {x: x + bw / 2, y: top + h - bh - 3, "text-anchor": "middle", "font-size": 9}, fmt(v, 2)));
      var lx = x + bw / 2, ly = top + h + 12;
      svg.appendChild(el("text", {x: lx, y: ly, "font-size": 11, "text-anchor": "end", transform: "rotate(-50 " + lx + " " + ly + ")"}, label(p.labels[i], 12)));
    });
    if (p.ylabel) svg.appendChild(el("text", {x: 10, y: top + h / 2, "font-size": 11, "text-anchor": "middle", transform: "rotate(-90 10 " + (top + h / 2) + ")"}, p.ylabel));
    return svg;
  }

  function line(p) {
    var left = 50, top = 16, w = 420, h = 180, W = left + w + 20, H = top + h + 50;
    var svg = el("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H, "class": "aho-panel"});
    var xs = p.x, ys = [].concat.apply([], p.series.map(function (s) { return s.y; })).filter(isFinite);
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = (p.ymin === null || p.ymin === undefined) ? Math.min.apply(null, ys) : p.ymin;
    var y1 = (p.ymax === null || p.ymax === undefined) ? Math.max.apply(null, ys) : p.ymax;
    var sx = function (v) { return left + (v - x0) / ((x1 - x0) || 1) * w; };
    var sy = function (v) { return top + h - (v - y0) / ((y1 - y0) || 1) * h; };
    svg.appendChild(el("rect", {x: left, y: top, width: w, height: h, fill: "none", stroke: "#888"}));
    [[x0, "start"], [x1, "end"]].forEach(function (a) { svg.appendChild(el("text", {x: sx(a[0]), y: top + h + 14, "font-size": 10, "text-anchor": a[1]}, fmt(a[0], 0))); });
    [y0, y1].forEach(function (v) { svg.appendChild(el("text", {x: left - 4, y: sy(v) + 4, "font-size": 10, "text-anchor": "end"}, fmt(v, 2))); });
    var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
    p.series.forEach(function (s, k) {
      var pts = xs.map(function (x, i) { return sx(x) + "," + sy(s.y[i]); }).join(" ");
      svg.appendChild(el("polyline", {points: pts, fill: "none", stroke: palette[k % 4], "stroke-width": 2}));
      svg.appendChild(el("text", {x: left + 8, y: top + 14 + 14 * k, "font-size": 11, fill: palette[k % 4]}, s.name));
    });
    if (p.highlight_x !== null && p.highlight_x !== undefined)
      svg.appendChild(el("line", {x1: sx(p.highlight_x), x2: sx(p.highlight_x), y1: top, y2: top + h, stroke: "#d62728", "stroke-dasharray": "4 3"}));
    if (p.xlabel) svg.appendChild(el("text", {x: left + w / 2, y: H - 6, "text-anchor": "middle", "font-size": 12}, p.xlabel));
    if (p.ylabel) svg.appendChild(el("text", {x: 12, y: top + h / 2, "text-anchor": "middle", "font-size": 12, transform: "rotate(-90 12 " + (top + h / 2) + ")"}, p.ylabel));
    return svg;
  }

  var DRAW = {heatmap: heatmap, bars: bars, line: line};

  // ------------------------------------------------------------------ in-page programs
  // A program computes a frame in the page: program(data, values) -> frame, where values maps
  // each control's name to its option (the Python value, not its label). It returns exactly
  // what the Python frame function returns for the same values (same panels, titles, values,
  // labels, highlight and caption): the Python function stays the single source of truth for
  // the live widget and the static figure; a program mirrors it, and a browser test holds the
  // two equal. Only pure functions of shipped numbers belong here (e.g. softmax of logits).

  // panels.py's _floats: np.round(a, 5) (x * 1e5, round half to even, / 1e5); non-finite -> null.
  function floats(a) {
    return a.map(function (x) {
      if (!isFinite(x)) return null;
      var y = x * 1e5, r = Math.round(y);
      if (r - y === 0.5 && r % 2 !== 0) r -= 1;  // Math.round takes halves up; numpy's rint to even
      return r / 1e5;
    });
  }
  function barsPanel(values, labels, title, ylabel, vmax, highlight) {  // panels.bars_panel
    return {kind: "bars", values: floats(values), labels: labels.map(String), title: title, ylabel: ylabel,
            vmax: vmax === undefined ? null : vmax, highlight: (highlight || []).slice()};
  }
  function heatmapPanel(z, x, y, title, xlabel, ylabel, vmin, vmax, decimals) {  // panels.heatmap_panel (z: rows)
    var whole = z.every(function (row) { return row.every(function (v) { return Number.isInteger(v); }); });
    return {kind: "heatmap", z: whole ? z : z.map(floats), x: x.map(String), y: y.map(String), title: title, xlabel: xlabel,
            ylabel: ylabel, vmin: vmin, vmax: vmax, decimals: decimals};
  }
  // Python's f"{x:.{d}f}". toFixed rounds an exact tie up, Python to even; a double can be an
  // exact tie only if its decimal expansion ends at digit d + 1 (checked to 25 more).
  function pyFixed(x, d) {
    if (x < 0 || Object.is(x, -0)) return "-" + pyFixed(-x, d);  // Python keeps the sign, even of -0.00
    var s = x.toFixed(d), long = x.toFixed(d + 25);
    if (/^5(0*)$/.test(long.slice(long.length - 25)) && /[13579]$/.test(s)) {
      var n = BigInt(s.replace(".", "")) - 1n, t = n.toString().padStart(d + 1, "0");
      s = d ? t.slice(0, t.length - d) + "." + t.slice(t.length - d) : t;
    }
    return s;
  }
  // Python's f"{x:g}": 6 significant digits, trailing zeros dropped, exponent below 1e-4 or from 1e6.
  function pyG(x) {
    if (x === 0) return "0";
    if (!isFinite(x)) return x > 0 ? "inf" : (x < 0 ? "-inf" : "nan");
    var e = Number(x.toExponential(5).split("e")[1]);
    var strip = function (s) { return s.indexOf(".") < 0 ? s : s.replace(/0+$/, "").replace(/\.$/, ""); };
    if (e >= -4 && e < 6) return strip(x.toFixed(5 - e));
    var m = x.toExponential(5).split("e");
    return strip(m[0]) + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }

  // torch's softmax over the last axis (float64 CPU): exp(x - max), times 1 / their sum.
  function softmax(z) {
    var m = Math.max.apply(null, z), e = z.map(function (x) { return Math.exp(x - m); });
    var s = 0;
    e.forEach(function (x) { s += x; });
    var r = 1 / s;
    return e.map(function (x) { return x * r; });
  }
  // decoding.top_k_filter: keep the logits >= the k-th largest (ties with it kept), others -inf.
  function topK(z, k) {
    var kth = z.slice().sort(function (a, b) { return b - a; })[k - 1];
    return z.map(function (x) { return x < kth ? -Infinity : x; });
  }
  // decoding.top_p_filter: sort by probability (descending, stable: ties keep vocabulary order),
  // keep a token while the mass ranked above it (cumsum - itself) is below p.
  function topP(z, p) {
    var probs = softmax(z), order = z.map(function (_, i) { return i; });
    order.sort(function (a, b) { return probs[b] - probs[a]; });  // Array.sort is stable
    var keep = z.map(function () { return false; }), c = 0;
    order.forEach(function (i) { c += probs[i]; keep[i] = (c - probs[i]) < p; });
    return z.map(function (x, i) { return keep[i] ? x : -Infinity; });
  }

  // views/gpt.py's sampling_frame over shipped logits: data = {labels: [V], logits: {prompt: [V]}}.
  function sampling(data, v) {
    var logits = data.logits[v.prompt], labels = data.labels, V = logits.length;
    var p = softmax(logits), z = logits.map(function (x) { return x / v.temperature; });
    if (v.top_k < V) z = topK(z, v.top_k);  // decoding.sampling_probs: temperature, top-k, top-p
    if (v.top_p < 1) z = topP(z, v.top_p);
    var q = softmax(z), kept = [], top = 0;
    q.forEach(function (x, i) { if (x > 0) kept.push(i); if (x > q[top]) top = i; });  // argmax: first maximum
    var caption = "after \u201c" + v.prompt + "\u201d: " + kept.length + " of " + V + " characters can be drawn; the most likely, " +
      "\u201c" + labels[top] + "\u201d, now has p = " + pyFixed(q[top], 2) + " (it had " + pyFixed(p[top], 2) + ")";
    return {panels: [
      barsPanel(p, labels, "the model: p(next character)", "probability", 1, []),
      barsPanel(q, labels, "sampled from: T = " + pyG(v.temperature) + ", top-k = " + v.top_k + ", top-p = " + pyG(v.top_p),
                "probability", 1, kept)], caption: caption};
  }

  var PROGRAMS = {sampling: sampling};  // keep in step with PAGE_PROGRAMS in views/__init__.py
  // What a page program computes once per text and reuses while other controls move: the last
  // `size` texts' results, the most recently used kept longest.
  function memo(size) {
    var cache = new Map();
    return function (key, compute) {
      if (cache.has(key)) { var hit = cache.get(key); cache.delete(key); cache.set(key, hit); return hit; }
      var value = compute();  // a thrown InputError is not kept: the reader fixes the word
      cache.set(key, value);
      while (cache.size > size) cache.delete(cache.keys().next().value);
      return value;
    };
  }
  window.AHO_EXPLORER = {programs: PROGRAMS, floats: floats, barsPanel: barsPanel, heatmapPanel: heatmapPanel,
                         pyFixed: pyFixed, pyG: pyG, memo: memo};

  // ------------------------------------------------------------------ the reader's own text
  // An explorer with a page model (Explorer(page_model=...)) turns its editable control into a
  // text box. Listed texts show their precomputed frames at once; any other text runs the book's
  // own model in the page: the first time, this fetches the runtime (transformer_lib/web/runtime.js),
  // the page program that mirrors the Python frame function (views/programs/<name>.js) and the
  // model's two files, all from the site's own _static/aho/, once per page (the browser caches them
  // for the rest of the site). Nothing is fetched until the reader puts the cursor in the box.
  var LOADS = window.AHO_LOADS = window.AHO_LOADS || {};
  function staticBase() {
    var root = document.documentElement.getAttribute("data-content_root");
    return root === null ? null : root + "_static/aho/";
  }
  function script(url) {
    if (!LOADS[url]) LOADS[url] = new Promise(function (ok, fail) {
      var s = document.createElement("script");
      s.src = url; s.onload = ok;
      s.onerror = function () { delete LOADS[url]; fail(new Error("could not load " + url)); };
      document.head.appendChild(s);
    });
    return LOADS[url];
  }
  function loadModel(m) {
    var base = staticBase();
    if (base === null) return Promise.reject(new Error("this text box runs the model on the book's website; in Jupyter or Colab, the live widget takes your text"));
    return script(base + "runtime.js").then(function () { return script(base + "programs/" + m.program + ".js"); })
      .then(function () { return window.AHO_RUNTIME.load(m.file, base + "models/"); });
  }

  function mount(root) {
    if (root.getAttribute("data-aho-mounted")) return;
    root.setAttribute("data-aho-mounted", "1");
    var spec = JSON.parse(root.querySelector("script.aho-data").textContent);
    var controls = root.querySelector(".aho-controls"), stage = root.querySelector(".aho-stage");
    var state = spec.initial.slice();
    var typed = null, model = null, pending = false, seq = 0;  // typed: the text box's text when it is not a listed option
    var later = null;  // a message held back while the reader is still typing (see draw)
    var message = document.createElement("p"), marks = document.createElement("p");
    message.className = "aho-message"; marks.className = "aho-marks";
    function values() {
      var v = {};
      spec.controls.forEach(function (ctl, k) { v[ctl.name] = ctl.values[state[k]]; });
      if (typed !== null) v[spec.model.text] = typed;
      return v;
    }
    function current() {
      if (typed !== null) return window.AHO_PROGRAMS[spec.model.program](model, values(), spec.data);
      if (!spec.program) return spec.frames[state.join(",")];
      if (!PROGRAMS[spec.program]) throw new Error("explorer.js has no in-page program " + spec.program);
      return PROGRAMS[spec.program](spec.data, values());
    }
    function say(text, tokens, unknown) {  // the reader's message, and their tokens with the unknown ones marked
      message.textContent = text || "";
      while (marks.firstChild) marks.removeChild(marks.firstChild);
      if (!unknown || !unknown.length) return;
      tokens.forEach(function (t) {
        var span = document.createElement("span");
        span.textContent = t;
        if (unknown.indexOf(t) >= 0) { span.className = "aho-unknown"; span.title = "not in this model's vocabulary"; }
        marks.appendChild(span); marks.appendChild(document.createTextNode(" "));
      });
    }
    function draw(fromTyping) {
      var t0 = performance.now();
      clearTimeout(later);
      root.removeAttribute("data-aho-pending");
      if (typed !== null && !model) {
        if (!pending) {
          pending = true;
          root.setAttribute("data-aho-loading", "1");
          say("loading the model (once per visit)\u2026");
          loadModel(spec.model).then(function (m) { model = m; pending = false; root.removeAttribute("data-aho-loading"); say(""); draw(); },
            function (err) { pending = false; root.removeAttribute("data-aho-loading"); say(err.message); root.setAttribute("data-aho-seq", String(++seq)); });
        }
        return;
      }
      var frame;
      try { frame = current(); }
      catch (err) {
        if (!(window.AHO_RUNTIME && err instanceof window.AHO_RUNTIME.InputError)) throw err;
        // The last picture stays, as in the live widget, and the message says why. While the reader
        // is typing, a half-typed word is "not in the vocabulary" at nearly every keystroke: the
        // message waits for a pause in the typing (a frame drawn meanwhile cancels it).
        var show = function () {
          root.removeAttribute("data-aho-pending");
          say(err.message, err.tokens, err.unknown);
          root.setAttribute("data-aho-error", "1");
          root.setAttribute("data-aho-seq", String(++seq));
        };
        if (fromTyping) { root.setAttribute("data-aho-pending", "1"); later = setTimeout(show, 400); } else show();
        return;
      }
      say("");
      root.removeAttribute("data-aho-error");
      while (stage.firstChild) stage.removeChild(stage.firstChild);
      var row = document.createElement("div");
      row.className = "aho-row";
      frame.panels.forEach(function (p) {
        var box = document.createElement("figure");
        box.className = "aho-figure";
        if (p.title) { var cap = document.createElement("figcaption"); cap.textContent = p.title; box.appendChild(cap); }
        box.appendChild(DRAW[p.kind](p));
        row.appendChild(box);
      });
      stage.appendChild(row);
      if (frame.caption) { var c = document.createElement("p"); c.className = "aho-caption"; c.textContent = frame.caption; stage.appendChild(c); }
      stage.getBoundingClientRect();  // lay the new picture out now, so the time below includes it
      root.setAttribute("data-aho-state", state.join(","));
      root.setAttribute("data-aho-ms", String(performance.now() - t0));  // forward pass + redraw (benchmarks/bench_typing.py)
      root.setAttribute("data-aho-frames", String(+(root.getAttribute("data-aho-frames") || 0) + 1));  // frames drawn
      root.ahoFrame = frame;  // the frame drawn last, for the tests that hold it equal to the Python one
      root.setAttribute("data-aho-seq", String(++seq));  // one more input answered (a frame or a message)
    }
    spec.controls.forEach(function (ctl, k) {
      var wrap = document.createElement("label");
      wrap.className = "aho-control";
      var name = document.createElement("span");
      name.textContent = ctl.label + " ";
      wrap.appendChild(name);
      var input;
      if (spec.model && spec.model.text === ctl.name) {  // the reader's text box, with the listed texts as suggestions
        input = document.createElement("input");
        input.type = "text"; input.size = 60; input.value = ctl.options[state[k]]; input.spellcheck = false;
        input.setAttribute("autocomplete", "off");
        var list = document.createElement("datalist");
        list.id = root.id + "-" + ctl.name;
        ctl.options.forEach(function (o) { var opt = document.createElement("option"); opt.value = o; list.appendChild(opt); });
        input.setAttribute("list", list.id);
        input.addEventListener("focus", function () {  // the reader is about to type: start fetching now
          if (!model && staticBase() !== null) loadModel(spec.model).then(function (m) { model = model || m; }, function () {});
        });
        input.addEventListener("input", function () {
          var i = ctl.options.indexOf(input.value);
          if (i >= 0 && (spec.frames || spec.program)) { state[k] = i; typed = null; } else typed = input.value;
          draw(true);
        });
        wrap.appendChild(input); wrap.appendChild(list);
        wrap.className += " aho-textbox";
      } else if (ctl.numeric) {
        input = document.createElement("input");
        input.type = "range"; input.min = 0; input.max = ctl.options.length - 1; input.step = 1; input.value = state[k];
        var out = document.createElement("output");
        out.textContent = ctl.options[state[k]];
        input.addEventListener("input", function () { state[k] = +input.value; out.textContent = ctl.options[state[k]]; draw(); });
        wrap.appendChild(input); wrap.appendChild(out);
      } else {
        input = document.createElement("select");
        ctl.options.forEach(function (o, i) { var opt = document.createElement("option"); opt.value = i; opt.textContent = o; input.appendChild(opt); });
        input.value = state[k];
        input.addEventListener("change", function () { state[k] = +input.value; draw(); });
        wrap.appendChild(input);
      }
      input.setAttribute("data-aho-control", ctl.name);
      controls.appendChild(wrap);
    });
    controls.parentNode.insertBefore(marks, controls.nextSibling);
    controls.parentNode.insertBefore(message, marks);
    draw();
  }
  document.querySelectorAll(".aho-explorer").forEach(mount);
})();
