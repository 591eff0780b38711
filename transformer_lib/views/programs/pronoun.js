/* Page program "pronoun" (chapter "It -> animal"): the reader's sentence through the pronoun model
 * in the page. Mirrors transformer_lib/views/pronoun.py it_frame line for line, and
 * transformer_lib/data/pronoun.py role_notes; tests/browser/test_browser_typing.py holds the
 * frames equal. Loaded by views/explorer.js, with web/runtime.js, when the reader first types. */
(function () {
  "use strict";
  var E = window.AHO_EXPLORER, PROGRAMS = window.AHO_PROGRAMS = window.AHO_PROGRAMS || {};

  // data/pronoun.py role_notes: a known word after "too" (following "it") that is not an adjective,
  // or after "the" that is not a noun, gets a note saying where the model saw it instead.
  function roleNotes(m, tokens) {
    var it = tokens.indexOf(m.it), notes = [];
    tokens.forEach(function (w, i) {
      if (!Object.prototype.hasOwnProperty.call(m.roles, w)) return;
      var slot;
      if (i > it && it >= 0 && i > 0 && tokens[i - 1] === "too" && m.adjectives.indexOf(w) < 0) slot = "the adjective";
      else if (i > 0 && tokens[i - 1] === "the" && m.nouns.indexOf(w) < 0) slot = "a noun";
      else return;
      notes.push("\u201c" + w + "\u201d stands here as " + slot + ", but the model saw it only " + m.roles[w] +
                 ": it never learned what \u201c" + w + "\u201d means there, so this answer is a guess, however confident.");
    });
    return notes;
  }

  // views/pronoun.py it_frame for a typed sentence.
  PROGRAMS.pronoun = function (model, values) {
    var m = model.manifest, text = String(values.sentence), r = model.analyse(text);  // InputError: the reader's message
    var tokens = r.tokens, L = r.weights.length, H = r.weights[0].length, T = tokens.length, i = tokens.indexOf(m.it);
    var fromIt = [], rows = [];
    for (var l = 0; l < L; l++) for (var h = 0; h < H; h++) {
      fromIt.push(Array.from(r.weights[l][h].subarray(i * T, (i + 1) * T)));  // row l*H + h = layer l, head h
      rows.push("L" + (l + 1) + " H" + (h + 1));
    }
    var probs = {};
    m.nouns.forEach(function (n, j) { probs[n] = r.probs[j]; });
    var inSentence = tokens.filter(function (t, j) { return tokens.indexOf(t) === j && m.nouns.indexOf(t) >= 0; });
    var rest = 0;
    inSentence.forEach(function (n) { rest += probs[n]; });
    var bars = inSentence.map(function (n) { return probs[n]; }).concat([1.0 - rest]);
    var answer = m.nouns[0];
    m.nouns.forEach(function (n) { if (probs[n] > probs[answer]) answer = n; });  // Python's max: the first maximum
    var caption = "\u201c" + text + "\u201d: the model reads it as the " + answer + " (p = " + E.pyFixed(probs[answer], 2) + ")";
    var notes = roleNotes(m, tokens);
    if (notes.length) caption += ". " + notes.join(" ");
    return {panels: [
      E.heatmapPanel(fromIt, tokens, rows, "attention from \u201cit\u201d", "token looked at", "layer, head", 0, 1, 2),
      E.barsPanel(bars, inSentence.concat(["others"]), "what \u201cit\u201d refers to", "probability", 1,
                  inSentence.indexOf(answer) >= 0 ? [inSentence.indexOf(answer)] : [])],
      caption: caption};
  };
})();
