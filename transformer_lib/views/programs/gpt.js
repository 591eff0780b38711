/* Page program "gpt" (chapter "Decoder-only models (GPT)"): the reader's prompt through the tiny
 * GPT in the page. Mirrors transformer_lib/views/gpt.py sampling_frame: the logits of the prompt's
 * last position (next_logits: tasks/gpt.py encode, then the model) go through the same in-page
 * program that draws the listed prompts (explorer.js "sampling"), so every frame is built by one
 * piece of code. tests/browser/test_browser_typing_gpt.py holds the frames equal to Python's.
 * Loaded by views/explorer.js, with web/runtime.js, when the reader first types. */
(function () {
  "use strict";
  var E = window.AHO_EXPLORER, PROGRAMS = window.AHO_PROGRAMS = window.AHO_PROGRAMS || {};
  var cached = E.memo(64);  // prompt -> its last position's logits (V)

  // views/gpt.py next_logits: the logits (V) of the character after the prompt. Kept per text, so
  // moving temperature, top-k or top-p (or deleting back to an earlier prompt) runs no model.
  function nextLogits(model, text) {
    return cached(text, function () {
      var rows = model.forward(model.ids(text)).logits;  // InputError (empty, unknown characters, too long): the reader's message
      return rows[rows.length - 1];
    });
  }

  // views/gpt.py sampling_frame for a typed prompt; data is the explorer's sampling data ({labels, logits}).
  PROGRAMS.gpt = function (model, values, data) {
    var text = String(values.prompt), logits = Object.create(null);  // no prototype: any text is a plain key
    logits[text] = nextLogits(model, text);
    return E.programs.sampling({labels: data.labels, logits: logits}, values);
  };
})();
