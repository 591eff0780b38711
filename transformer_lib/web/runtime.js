/* The book's own models in the page: a small forward pass in plain JavaScript.
 *
 * "Attention, Hands-On" (transformer_lib/web). A page loads this file, and a model's two files
 * (<name>.json: configuration, vocabularies, tensor offsets; <name>.bin: float32 weights, written
 * by transformer_lib/web/export.py), only when a reader first types into a text box. Every
 * function below names the Python it mirrors in transformer_lib; the numbers are computed in
 * JavaScript's doubles over the float32 weights, so they match torch's float32 to about 1e-6
 * (tests/browser/test_browser_runtime.py holds them within 1e-4 on hundreds of inputs).
 *
 * Layout: a matrix of n rows of width d is a Float64Array of n * d numbers, row after row (one
 * row per token: B = 1 always in the page). Weights keep torch's layout: a Linear's weight is
 * (out, in), so y = x W^T + b. Heads are the column blocks h * Dh .. (h + 1) * Dh of Q, K, V.
 *
 * Nothing here touches the page: text goes in, numbers come out (views/explorer.js draws them).
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ text
  // data/vocab.py Tokenizer.__call__: typographic apostrophe -> "'", lower-case, every match of the pattern.
  function tokenize(spec, text) {
    text = String(text).replace(/\u2019/g, "'");
    if (spec.lower) text = text.toLowerCase();
    return text.match(new RegExp(spec.pattern, "gu")) || [];
  }

  // data/vocab.py edit_distance: Damerau-Levenshtein (optimal string alignment), over code points.
  function editDistance(a, b) {
    a = Array.from(a); b = Array.from(b);
    var d = [], i, j;
    for (i = 0; i <= a.length; i++) { d.push([]); for (j = 0; j <= b.length; j++) d[i].push(i * j === 0 ? i + j : 0); }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] !== b[j - 1] ? 1 : 0));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.length][b.length];
  }

  // data/vocab.py nearest_words: the n closest words (ties in vocabulary order), never a special
  // token or a token without a letter.
  function nearestWords(word, tokens, specials, n) {
    var words = tokens.filter(function (t) { return specials.indexOf(t) < 0 && /\p{L}/u.test(t); });
    var dist = words.map(function (t) { return editDistance(word, t); });
    var order = words.map(function (_, i) { return i; });
    order.sort(function (x, y) { return dist[x] - dist[y] || x - y; });
    return order.slice(0, n === undefined ? 3 : n).map(function (i) { return words[i]; });
  }

  // data/vocab.py not_in_vocabulary: one sentence per distinct unknown word, in order of appearance.
  function notInVocabulary(unknown, tokens, specials) {
    var seen = [];
    unknown.forEach(function (w) { if (seen.indexOf(w) < 0) seen.push(w); });
    return seen.map(function (w) {
      return "\u201c" + w + "\u201d is not in this model's vocabulary; nearest known words (by spelling): " +
        nearestWords(w, tokens, specials, 3).join(", ") + ".";
    }).join(" ");
  }

  // An error the reader caused (the Python raises ValueError with the same message): the page shows
  // `message`, and marks the tokens listed in `unknown` in its copy of the text.
  function InputError(message, tokens, unknown) {
    this.message = message; this.tokens = tokens || []; this.unknown = unknown || [];
  }

  // ------------------------------------------------------------------ layers (transformer_lib.nn)
  // torch.nn.Linear: x (n, din) -> (n, dout), W (dout, din), b (dout,) or null.
  function linear(x, n, W, b, din, dout) {
    var y = new Float64Array(n * dout);
    for (var i = 0; i < n; i++) {
      var xo = i * din, yo = i * dout;
      for (var o = 0; o < dout; o++) {
        var s = b ? b[o] : 0, wo = o * din;
        for (var j = 0; j < din; j++) s += x[xo + j] * W[wo + j];
        y[yo + o] = s;
      }
    }
    return y;
  }

  // nn/norms.py LayerNorm: (x - mean) / sqrt(biased var + eps) * weight + bias, per row.
  function layerNorm(x, n, d, w, b) {
    var y = new Float64Array(n * d);
    for (var i = 0; i < n; i++) {
      var o = i * d, mean = 0, v = 0, j;
      for (j = 0; j < d; j++) mean += x[o + j];
      mean /= d;
      for (j = 0; j < d; j++) v += (x[o + j] - mean) * (x[o + j] - mean);
      var r = 1 / Math.sqrt(v / d + 1e-5);
      for (j = 0; j < d; j++) y[o + j] = (x[o + j] - mean) * r * w[j] + b[j];
    }
    return y;
  }

  function add(a, b) { var y = new Float64Array(a.length); for (var i = 0; i < a.length; i++) y[i] = a[i] + b[i]; return y; }

  // nn/blocks.py feed_forward: linear2(relu(linear1(x))).
  function feedForward(p, x, n, d, dff) {
    var h = linear(x, n, p.linear1.weight, p.linear1.bias, d, dff);
    for (var i = 0; i < h.length; i++) if (h[i] < 0) h[i] = 0;
    return linear(h, n, p.linear2.weight, p.linear2.bias, dff, d);
  }

  // nn/attention.py attend, for projected q (T, D), k and v (S, D) with H heads:
  // softmax(q k^T / sqrt(Dh)) v per head. allowed(t, s) says whether query t may read key s (True =
  // may attend, as everywhere in the book); a query with no allowed key gets zeros, never NaN.
  // Returns {heads: (T, D), weights: [H] of (T, S)}.
  function attend(q, k, v, T, S, D, H, allowed) {
    var Dh = D / H, scale = Math.sqrt(Dh), heads = new Float64Array(T * D), weights = [];
    for (var h = 0; h < H; h++) {
      var w = new Float64Array(T * S), off = h * Dh;
      for (var t = 0; t < T; t++) {
        var row = new Float64Array(S), m = -Infinity, any = false, s, j;
        for (s = 0; s < S; s++) {
          if (allowed && !allowed(t, s)) { row[s] = -Infinity; continue; }
          var dot = 0;
          for (j = 0; j < Dh; j++) dot += q[t * D + off + j] * k[s * D + off + j];
          row[s] = dot / scale; any = true;
          if (row[s] > m) m = row[s];
        }
        if (!any) continue;  // zeros, as attend's guard for a fully masked row
        var sum = 0;
        for (s = 0; s < S; s++) { row[s] = Math.exp(row[s] - m); sum += row[s]; }
        for (s = 0; s < S; s++) {
          var a = row[s] / sum;
          w[t * S + s] = a;
          if (a === 0) continue;
          for (j = 0; j < Dh; j++) heads[t * D + off + j] += a * v[s * D + off + j];
        }
      }
      weights.push(w);
    }
    return {heads: heads, weights: weights};
  }

  // nn/attention.py MultiHeadAttention.forward: project, attend, W_O. Returns {out (T, D), weights}.
  function mha(p, xq, T, xkv, S, D, H, allowed) {
    var q = linear(xq, T, p.W_Q.weight, p.W_Q.bias, D, D);
    var k = linear(xkv, S, p.W_K.weight, p.W_K.bias, D, D);
    var v = linear(xkv, S, p.W_V.weight, p.W_V.bias, D, D);
    var a = attend(q, k, v, T, S, D, H, allowed);
    return {out: linear(a.heads, T, p.W_O.weight, p.W_O.bias, D, D), weights: a.weights};
  }

  // nn/blocks.py EncoderLayer.forward (dropout off): post-norm x = LN1(x + SA(x)); x = LN2(x + FFN(x)),
  // or pre-norm x = x + SA(LN1(x)); x = x + FFN(LN2(x)). Returns {x (T, D), weights: [H] of (T, T)}.
  function encoderLayer(p, x, T, c, allowed) {
    var D = c.d_model, a;
    if (c.norm_first) {
      var h = layerNorm(x, T, D, p.norm1.weight, p.norm1.bias);
      a = mha(p.self_attn, h, T, h, T, D, c.n_heads, allowed);
      x = add(x, a.out);
      x = add(x, feedForward(p, layerNorm(x, T, D, p.norm2.weight, p.norm2.bias), T, D, c.d_ff));
    } else {
      a = mha(p.self_attn, x, T, x, T, D, c.n_heads, allowed);
      x = layerNorm(add(x, a.out), T, D, p.norm1.weight, p.norm1.bias);
      x = layerNorm(add(x, feedForward(p, x, T, D, c.d_ff)), T, D, p.norm2.weight, p.norm2.bias);
    }
    return {x: x, weights: a.weights};
  }

  // nn/positional.py sinusoidal_positional_encoding (interleaved: sin, cos, sin, ...), rows 0..T-1,
  // computed in doubles and rounded to float32 as the module's buffer is (.float()).
  function sinusoidal(T, D) {
    var pe = new Float64Array(T * D);
    for (var pos = 0; pos < T; pos++) {
      for (var i = 0; i < D / 2; i++) {
        var angle = pos / Math.pow(10000, 2 * i / D);
        pe[pos * D + 2 * i] = Math.fround(Math.sin(angle));
        pe[pos * D + 2 * i + 1] = Math.fround(Math.cos(angle));
      }
    }
    return pe;
  }

  // nn/positional.py TokenEmbedding: table[ids] * sqrt(D); plus a position table (T, D) if given.
  function embed(table, ids, D, positions) {
    var x = new Float64Array(ids.length * D), scale = Math.sqrt(D);
    ids.forEach(function (id, t) {
      for (var j = 0; j < D; j++) x[t * D + j] = table[id * D + j] * scale + (positions ? positions[t * D + j] : 0);
    });
    return x;
  }

  function logSoftmax(z) {
    var m = -Infinity, s = 0, i;
    for (i = 0; i < z.length; i++) if (z[i] > m) m = z[i];
    for (i = 0; i < z.length; i++) s += Math.exp(z[i] - m);
    var lse = m + Math.log(s), out = new Float64Array(z.length);
    for (i = 0; i < z.length; i++) out[i] = z[i] - lse;
    return out;
  }

  function argmax(z) { var b = 0; for (var i = 1; i < z.length; i++) if (z[i] > z[b]) b = i; return b; }  // first maximum, as torch

  // ------------------------------------------------------------------ the models
  // A model's parameters as nested objects: "layers.0.self_attn.W_Q.weight" -> p.layers[0].self_attn.W_Q.weight.
  function params(manifest, buffer) {
    var root = {};
    Object.keys(manifest.tensors).forEach(function (name) {
      var t = manifest.tensors[name], n = t.shape.reduce(function (a, b) { return a * b; }, 1);
      var parts = name.split("."), node = root;
      for (var i = 0; i < parts.length - 1; i++) {
        var key = /^\d+$/.test(parts[i]) ? +parts[i] : parts[i];
        if (node[key] === undefined) node[key] = /^\d+$/.test(parts[i + 1]) ? [] : {};
        node = node[key];
      }
      node[parts[parts.length - 1]] = new Float32Array(buffer, t.offset, n);
    });
    return root;
  }

  // tasks/pronoun.py ItModel: embeddings + sinusoidal positions, n_layers bidirectional encoder
  // layers (padding never arises: one sentence), final LayerNorm (pre-norm), noun logits at "it".
  function ItModel(manifest, p) {
    var c = manifest.config;
    this.manifest = manifest;
    this.index = {};
    manifest.vocab.forEach(function (t, i) { this.index[t] = i; }, this);
    // ItModel.tokens: tokenize, then check every word, "it" exactly once and the length.
    this.tokens = function (text) {
      var toks = tokenize(manifest.tokenizer, text), idx = this.index;
      if (!toks.length) throw new InputError("the sentence is empty; try: " + manifest.example, []);
      var unknown = toks.filter(function (t) { return !(t in idx) || t === "<pad>"; });
      if (unknown.length) throw new InputError(notInVocabulary(unknown, manifest.vocab, ["<pad>"]), toks, unknown);
      var n = toks.filter(function (t) { return t === manifest.it; }).length;
      if (n !== 1) throw new InputError("the sentence must contain the word 'it' exactly once, found " + n, toks);
      if (toks.length > c.max_len) throw new InputError("the sentence has " + toks.length + " tokens; the model reads at most " + c.max_len, toks);
      return toks;
    };
    // ItModel.analyse for one sentence: {tokens, weights: [L][H] of (T, T), logits (N), probs (N)}.
    this.analyse = function (text) {
      var toks = this.tokens(text), idx = this.index, T = toks.length, D = c.d_model;
      var x = embed(p.embed.table.weight, toks.map(function (t) { return idx[t]; }), D, sinusoidal(T, D));
      var weights = [];
      for (var l = 0; l < c.n_layers; l++) {
        var r = encoderLayer(p.layers[l], x, T, c, null);
        x = r.x; weights.push(r.weights);
      }
      if (c.norm_first) x = layerNorm(x, T, D, p.final_norm.weight, p.final_norm.bias);
      var i = toks.indexOf(manifest.it);
      var logits = linear(x.subarray(i * D, (i + 1) * D), 1, p.readout.weight, p.readout.bias, D, manifest.nouns.length);
      var lp = logSoftmax(logits);
      return {tokens: toks, weights: weights, logits: Array.from(logits), probs: Array.from(lp, Math.exp)};
    };
  }

  // The translator (nn/model.py Transformer, post-norm, separate vocabularies) with the decoding of
  // decoding.py. The decoder runs one new position at a time and keeps each layer's keys and values
  // (self-attention) and the memory's keys and values (cross-attention): the numbers equal running
  // the whole prefix again, as decoding.py does, because nothing in a causal decoder changes earlier rows.
  function Translator(manifest, p) {
    var c = manifest.config, D = c.d_model, H = c.n_heads, V = manifest.tgt_vocab.length, self = this;
    var BOS = manifest.tgt_vocab.indexOf("<bos>"), EOS = manifest.tgt_vocab.indexOf("<eos>"), PAD = c.pad_id;
    var srcIndex = {}, pe = sinusoidal(c.max_len, D);
    manifest.src_vocab.forEach(function (t, i) { srcIndex[t] = i; });
    this.manifest = manifest;
    // tasks/translator.py Translator.encode_source: French text -> ids ending in <eos>.
    this.source = function (text) {
      var toks = tokenize(manifest.tokenizer, text);
      if (!toks.length) throw new InputError("type a French sentence: the input has no words", []);
      var unknown = toks.filter(function (t) { return !(t in srcIndex) || manifest.specials.indexOf(t) >= 0; });
      if (unknown.length) throw new InputError(notInVocabulary(unknown, manifest.src_vocab, manifest.specials), toks, unknown);
      if (toks.length + 1 > c.max_len)
        throw new InputError("the sentence has " + toks.length + " words; the translator reads at most " + (c.max_len - 1), toks);
      return {tokens: toks.concat(["<eos>"]), ids: toks.map(function (t) { return srcIndex[t]; }).concat([srcIndex["<eos>"]])};
    };
    // Transformer.encode: memory (S, D) and the encoder's weights [layers][H] of (S, S).
    this.encode = function (ids) {
      var S = ids.length, x = embed(p.src_embed.table.weight, ids, D, pe.subarray(0, S * D)), weights = [];
      for (var l = 0; l < c.n_encoder_layers; l++) {
        var r = encoderLayer(p.encoder_layers[l], x, S, c, null);
        x = r.x; weights.push(r.weights);
      }
      if (c.norm_first) x = layerNorm(x, S, D, p.encoder_norm.weight, p.encoder_norm.bias);
      // each decoder layer's cross-attention keys and values: computed once per sentence
      var cross = p.decoder_layers.map(function (q) {
        return {k: linear(x, S, q.cross_attn.W_K.weight, q.cross_attn.W_K.bias, D, D),
                v: linear(x, S, q.cross_attn.W_V.weight, q.cross_attn.W_V.bias, D, D)};
      });
      return {memory: x, S: S, weights: weights, cross: cross};
    };
    function state() { return {keys: p.decoder_layers.map(function () { return []; }), values: p.decoder_layers.map(function () { return []; })}; }
    function copyState(s) { return {keys: s.keys.map(function (a) { return a.slice(); }), values: s.values.map(function (a) { return a.slice(); })}; }
    function stack(rows) { var m = new Float64Array(rows.length * D); rows.forEach(function (r, i) { m.set(r, i * D); }); return m; }
    // One decoder position (nn/blocks.py DecoderLayer.forward, its last row): the token at position t
    // -> log p(next) (V,), with this position's self- and cross-attention weights per layer.
    this.step = function (enc, st, token, t) {
      var x = embed(p.tgt_embed.table.weight, [token], D, pe.subarray(t * D, (t + 1) * D)), selfW = [], crossW = [];
      for (var l = 0; l < c.n_decoder_layers; l++) {
        var q = p.decoder_layers[l], a, h = c.norm_first ? layerNorm(x, 1, D, q.norm1.weight, q.norm1.bias) : x;
        st.keys[l].push(linear(h, 1, q.self_attn.W_K.weight, q.self_attn.W_K.bias, D, D));
        st.values[l].push(linear(h, 1, q.self_attn.W_V.weight, q.self_attn.W_V.bias, D, D));
        var n = st.keys[l].length;  // the causal mask: this position reads positions 0..t, all cached
        a = attend(linear(h, 1, q.self_attn.W_Q.weight, q.self_attn.W_Q.bias, D, D), stack(st.keys[l]), stack(st.values[l]), 1, n, D, H, null);
        var sa = linear(a.heads, 1, q.self_attn.W_O.weight, q.self_attn.W_O.bias, D, D);
        selfW.push(a.weights);
        x = c.norm_first ? add(x, sa) : layerNorm(add(x, sa), 1, D, q.norm1.weight, q.norm1.bias);
        h = c.norm_first ? layerNorm(x, 1, D, q.norm2.weight, q.norm2.bias) : x;
        a = attend(linear(h, 1, q.cross_attn.W_Q.weight, q.cross_attn.W_Q.bias, D, D), enc.cross[l].k, enc.cross[l].v, 1, enc.S, D, H, null);
        var ca = linear(a.heads, 1, q.cross_attn.W_O.weight, q.cross_attn.W_O.bias, D, D);
        crossW.push(a.weights);
        x = c.norm_first ? add(x, ca) : layerNorm(add(x, ca), 1, D, q.norm2.weight, q.norm2.bias);
        h = c.norm_first ? layerNorm(x, 1, D, q.norm3.weight, q.norm3.bias) : x;
        var ff = feedForward(q, h, 1, D, c.d_ff);
        x = c.norm_first ? add(x, ff) : layerNorm(add(x, ff), 1, D, q.norm3.weight, q.norm3.bias);
      }
      if (c.norm_first) x = layerNorm(x, 1, D, p.decoder_norm.weight, p.decoder_norm.bias);
      var logits = linear(x, 1, p.generator.weight, null, D, V);
      return {logits: logits, logProbs: logSoftmax(logits), self: selfW, cross: crossW};
    };
    // decoding.py greedy_decode for one sentence, plus what Translator.inspect draws:
    // {ids (L: output ids, <eos> included), logProbs [L] of (V), logits [L] of (V),
    //  self [L][layers][H] of (t + 1), cross [L][layers][H] of (S), encoder [layers][H] of (S, S)}.
    this.greedy = function (srcIds, maxLen) {
      var enc = this.encode(srcIds), st = state(), token = BOS, out = {ids: [], logProbs: [], logits: [], self: [], cross: [], encoder: enc.weights};
      for (var t = 0; t < (maxLen || 20); t++) {
        var r = this.step(enc, st, token, t);
        token = argmax(r.logProbs);
        out.ids.push(token); out.logProbs.push(r.logProbs); out.logits.push(r.logits); out.self.push(r.self); out.cross.push(r.cross);
        if (token === EOS) break;
      }
      return out;
    };
    // decoding.py length_penalty (GNMT): ((5 + |Y|) / 6)^alpha.
    function penalty(length, alpha) { return Math.pow((5 + length) / 6, alpha); }
    this.lengthPenalty = penalty;
    // decoding.py beam_search for one sentence (B = 1), step for step: k beams, a finished beam
    // continues only with <pad> at log-probability 0, the early stop when no live prefix can beat
    // the best finished one, and the final ranking by score / penalty (stable, best first).
    // Returns {ids (the best hypothesis, <eos> included, no padding), beams [k] of ids, scores, norm}.
    this.beam = function (srcIds, k, maxLen, alpha) {
      k = k || 4; maxLen = maxLen || 20; alpha = alpha === undefined ? 0.6 : alpha;
      var enc = this.encode(srcIds), beams = [], j;
      for (j = 0; j < k; j++) beams.push({seq: [], score: j === 0 ? 0 : -Infinity, done: false, length: 0, st: state()});
      for (var t = 0; t < maxLen; t++) {
        var cand = new Float64Array(k * V);
        for (j = 0; j < k; j++) {
          var b = beams[j], lp;
          if (b.done) { lp = new Float64Array(V).fill(-Infinity); lp[PAD] = 0; }
          else if (b.score === -Infinity) lp = new Float64Array(V);  // every candidate stays -inf: no need to run it
          else { b.st = copyState(b.st); lp = this.step(enc, b.st, t === 0 ? BOS : b.seq[t - 1], t).logProbs; }
          for (var v = 0; v < V; v++) cand[j * V + v] = b.score + lp[v];
        }
        var order = topk(cand, k), next = [];
        order.forEach(function (i) {
          var parent = beams[Math.floor(i / V)], token = i % V;
          next.push({seq: parent.seq.concat([token]), score: cand[i], done: parent.done || token === EOS,
                     length: parent.length + (parent.done ? 0 : 1), st: parent.st});
        });
        beams = next;
        var bestDone = -Infinity, bestLive = -Infinity;
        beams.forEach(function (b) {
          if (b.done) bestDone = Math.max(bestDone, b.score / penalty(b.length, alpha));
          else bestLive = Math.max(bestLive, b.score / penalty(maxLen, alpha));
        });
        if (bestDone >= bestLive) beams.forEach(function (b) { b.done = true; });
        if (beams.every(function (b) { return b.done; })) break;
      }
      var ranked = beams.map(function (b, i) { return {b: b, i: i, norm: b.score / penalty(b.length, alpha)}; });
      ranked.sort(function (x, y) { return (y.norm - x.norm) || (x.i - y.i); });  // stable, best first
      var strip = function (seq) { var s = []; for (var i = 0; i < seq.length && seq[i] !== PAD; i++) { s.push(seq[i]); if (seq[i] === EOS) break; } return s; };
      return {ids: strip(ranked[0].b.seq), beams: ranked.map(function (r) { return strip(r.b.seq); }),
              scores: ranked.map(function (r) { return r.b.score; }), norm: ranked.map(function (r) { return r.norm; })};
    };
    // Target ids -> words, stopping at <eos> (data/vocab.py Vocab.decode).
    this.words = function (ids) {
      var out = [];
      for (var i = 0; i < ids.length && ids[i] !== EOS; i++) if (ids[i] !== PAD && ids[i] !== BOS) out.push(manifest.tgt_vocab[ids[i]]);
      return out;
    };
  }

  // torch.topk over a flat array: the k largest, best first (equal values: lower index first).
  function topk(a, k) {
    var idx = Array.from(a, function (_, i) { return i; });
    idx.sort(function (x, y) { return (a[y] - a[x]) || (x - y); });
    return idx.slice(0, k);
  }

  // nn/gpt.py GPT with learned positions: embeddings * sqrt(D) + positions, n_layers pre-norm causal
  // EncoderLayers, final LayerNorm, output layer tied to the embedding.
  function GPT(manifest, p) {
    var c = manifest.config, D = c.d_model, index = {};
    manifest.vocab.forEach(function (t, i) { index[t] = i; });
    this.manifest = manifest;
    // tasks/gpt.py encode: prompt -> ids, with its checks.
    this.ids = function (text) {
      if (!text) throw new InputError("the prompt is empty; type the beginning of a sentence, e.g. 'i am '", []);
      var chars = tokenize(manifest.tokenizer, text);
      var unknown = chars.filter(function (ch) { return !(ch in index); });
      if (unknown.length) {
        var distinct = unknown.filter(function (u, i) { return unknown.indexOf(u) === i; });
        var known = manifest.vocab.map(function (t) { return manifest.shown[t] || t; }).join(" ");  // tasks/gpt.py SHOWN
        throw new InputError(distinct.map(function (u) { return "\u201c" + u + "\u201d"; }).join(", ") + (distinct.length === 1 ? " is" : " are") +
                             " not in this model's vocabulary: it reads one character at a time and knows only " + known, chars, unknown);
      }
      if (chars.length >= c.block_size)
        throw new InputError("the prompt has " + chars.length + " characters; the model's context is " + c.block_size +
                             ", and at least one must be left to generate", chars);
      return chars.map(function (ch) { return index[ch]; });
    };
    // GPT.forward(ids, need_weights=True): {logits [T] of (V), weights [L][H] of (T, T)}.
    this.forward = function (ids) {
      var T = ids.length, x = embed(p.embed.table.weight, ids, D, p.pos.table.weight.subarray(0, T * D)), weights = [];
      var causal = function (t, s) { return s <= t; };
      for (var l = 0; l < c.n_layers; l++) {
        var r = encoderLayer(p.layers[l], x, T, {d_model: D, n_heads: c.n_heads, d_ff: c.d_ff, norm_first: true}, causal);
        x = r.x; weights.push(r.weights);
      }
      x = layerNorm(x, T, D, p.final_norm.weight, p.final_norm.bias);
      var logits = linear(x, T, p.lm_head.weight, null, D, manifest.vocab.length), rows = [];
      for (var t = 0; t < T; t++) rows.push(Array.from(logits.subarray(t * manifest.vocab.length, (t + 1) * manifest.vocab.length)));
      return {logits: rows, weights: weights};
    };
  }

  var KINDS = {it_model: ItModel, translator: Translator, gpt: GPT};

  // ------------------------------------------------------------------ loading
  // Where the site keeps the models: <site root>/_static/aho/models/ (the page's root comes from the
  // data-content_root attribute Sphinx puts on <html>).
  var loading = {};
  function load(name, base) {
    if (!loading[name]) {
      base = base || (document.documentElement.getAttribute("data-content_root") || "./") + "_static/aho/models/";
      loading[name] = Promise.all([
        fetch(base + name + ".json").then(function (r) { if (!r.ok) throw new Error(name + ".json: HTTP " + r.status); return r.json(); }),
        fetch(base + name + ".bin").then(function (r) { if (!r.ok) throw new Error(name + ".bin: HTTP " + r.status); return r.arrayBuffer(); }),
      ]).then(function (files) {
        var manifest = files[0], buffer = files[1];
        if (buffer.byteLength !== manifest.bytes) throw new Error(name + ".bin has " + buffer.byteLength + " bytes, its manifest says " + manifest.bytes);
        return new KINDS[manifest.kind](manifest, params(manifest, buffer));
      });
      loading[name].catch(function () { delete loading[name]; });  // a failed fetch may be retried
    }
    return loading[name];
  }

  window.AHO_RUNTIME = {
    load: load, tokenize: tokenize, editDistance: editDistance, nearestWords: nearestWords,
    notInVocabulary: notInVocabulary, InputError: InputError,
  };
})();
