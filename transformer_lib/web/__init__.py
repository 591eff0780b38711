"""The book's trained models in the reader's browser (issue "Type your own sentence").

Two halves, one concept each:

* :mod:`transformer_lib.web.export` writes a shipped model as two static files for the site:
  ``<name>.json`` (its configuration, vocabularies and the name, offset and shape of every
  tensor) and ``<name>.bin`` (the float32 weights, little-endian, one after another). The book
  build calls it (``_ext/page_views.py``); so can anyone: ``python -m transformer_lib.web.export DIR``.
* ``runtime.js`` (shipped in this package) is a small forward pass in plain JavaScript over those
  tensors: the same layers as :mod:`transformer_lib.nn`, line for line (LayerNorm, multi-head
  attention, the encoder and decoder layers, greedy decoding and beam search), with each
  function naming the Python it mirrors. A page loads it, and a model's two files, only when a
  reader first types into a text box.

Why a hand-written forward pass and not onnxruntime-web: the book's three models together are
about 1.5 MB of float32 weights, and the runtime that runs them is about 25 kB of readable code a
learner can open next to the chapter that explains each line. onnxruntime-web's smallest
WebAssembly file is 14 MB (``ort-wasm-simd-threaded.wasm`` in version 1.30.0, as packed on npm),
nearly five times the budget of 3 MB for runtime and models together; and the attention weights
the pages draw would have to be added to each exported graph as extra outputs.
"""
