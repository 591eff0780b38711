/* Page program "translation" (chapter "Decoding"): the reader's French sentence through the book's
 * translator in the page, greedy decoding and beam search. Mirrors transformer_lib/views/translator.py
 * decoding_frame (with analyse, decoding_columns and _panels) line for line;
 * tests/browser/test_browser_typing_translation.py holds the frames equal. Loaded by
 * views/explorer.js, with web/runtime.js, when the reader first types. */
(function () {
  "use strict";
  var E = window.AHO_EXPLORER, PROGRAMS = window.AHO_PROGRAMS = window.AHO_PROGRAMS || {};
  var BEAM = {k: 4, alpha: 0.6, maxLen: 20};  // translator.py BEAM
  var RUNNER_UP = 0.05, CACHE_SIZE = 256;      // translator.py RUNNER_UP, CACHE_SIZE

  // translator.py analyse: greedy (what Translator.inspect returns) and beam search, per text. The
  // cache is per model and text, so moving the layer or the head recomputes nothing.
  var caches = new WeakMap();
  function analyse(model, text) {
    if (!caches.has(model)) caches.set(model, E.memo(CACHE_SIZE));
    return caches.get(model)(text, function () { return analyseText(model, text); });
  }
  function analyseText(model, text) {
    var vocab = model.manifest.tgt_vocab, src = model.source(text);  // InputError: the reader's message
    var g = model.greedy(src.ids, BEAM.maxLen), b = model.beam(src.ids, BEAM.k, BEAM.maxLen, BEAM.alpha);
    var logP = 0;
    g.ids.forEach(function (id, t) { logP += g.logProbs[t][id]; });
    var r = {source: src.tokens, ids: g.ids, output: g.ids.map(function (id) { return vocab[id]; }),
             translation: model.words(g.ids).join(" "),
             probs: g.logProbs.map(function (lp) { return Array.from(lp, Math.exp); }),  // (L, V)
             cross: g.cross,  // [L][layers][H] of (S)
             greedyLogP: logP, greedyNorm: logP / model.lengthPenalty(g.ids.length, BEAM.alpha),
             beam: model.words(b.ids).join(" "), beamLogP: b.scores[0], beamNorm: b.norm[0]};
    return r;
  }

  // translator.py decoding_columns: the chosen words in the order chosen, then every other token
  // with p >= RUNNER_UP at some step, in vocabulary order.
  function columns(r) {
    var cols = [];
    r.ids.forEach(function (id) { if (cols.indexOf(id) < 0) cols.push(id); });
    var V = r.probs[0].length;
    for (var i = 0; i < V; i++) {
      var max = -Infinity;
      r.probs.forEach(function (row) { if (row[i] > max) max = row[i]; });
      if (max >= RUNNER_UP && cols.indexOf(i) < 0) cols.push(i);
    }
    return cols;
  }

  function shown(words) { return words ? words : "(nothing)"; }

  // translator.py decoding_frame.
  PROGRAMS.translation = function (model, values) {
    var sentence = String(values.sentence), layer = values.layer, head = values.head, r = analyse(model, sentence);
    var vocab = model.manifest.tgt_vocab, cols = columns(r), l = Number(layer) - 1;
    var probs = r.probs.map(function (row) { return cols.map(function (i) { return row[i]; }); });
    var w = r.cross.map(function (step) {  // (L, S): one head, or the mean of the heads
      var heads = step[l];
      if (head !== "mean") return Array.from(heads[Number(head) - 1]);
      var S = heads[0].length, out = [];
      for (var s = 0; s < S; s++) {
        var sum = 0;
        heads.forEach(function (hw) { sum += hw[s]; });
        out.push(sum / heads.length);
      }
      return out;
    });
    var g = r.translation, b = r.beam;
    var caption = sentence + " \u2192 greedy: " + shown(g) + " (log p = " + E.pyFixed(r.greedyLogP, 2) + ") | beam (k = " + BEAM.k +
      "): " + shown(b) + " (log p = " + E.pyFixed(r.beamLogP, 2) + ")";
    if (g === b) caption += "; the same sentence";
    else if (r.beamLogP > r.greedyLogP)
      caption += "; they differ: the beam found a more probable sentence than greedy's word-by-word choices";
    else if (r.beamNorm > r.greedyNorm)
      caption += "; they differ: greedy's sentence is more probable, but the beam ranks finished sentences " +
        "by log p / lp(|Y|) (\u03b1 = " + E.pyG(BEAM.alpha) + "), which prefers the longer one here";
    else
      caption += "; they differ: greedy's sentence scores higher even after length normalisation, " +
        "but its prefix fell out of the beam of " + BEAM.k;
    return {panels: [
      E.heatmapPanel(probs, cols.map(function (i) { return vocab[i]; }), r.output, "greedy: next-word distribution at each step",
                   "English token (the chosen ones, then any other with p \u2265 " + E.pyG(RUNNER_UP) + ")", "step (word chosen)", 0, 1, 2),
      E.heatmapPanel(w, r.source, r.output, "greedy: cross-attention, decoder layer " + layer + ", head " + head,
                   "French token (key)", "English word (query)", 0, 1, 2)],
      caption: caption};
  };
})();
