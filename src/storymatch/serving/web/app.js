// storymatch's page: two articles in, the compare JSON out, drawn side by side.
// All text reaches the page through textContent or attributes, never innerHTML, so article
// text cannot inject markup. Offsets from the API count Unicode code points (Python str
// indices); JavaScript strings count UTF-16 units, so every offset is mapped before use.
"use strict";

const $ = (id) => document.getElementById(id);
const PALETTE = 8; // colours c0..c7 in style.css
const SCORE_NAMES = ["overall", "geography", "entities", "time", "narrative", "style", "tone"];
const EVIDENCE_LABELS = {
  shared_entities: "Shared names", shared_terms: "Shared terms", only_a: "Names only in A",
  only_b: "Names only in B", shared_places: "Shared places", shared_dates: "Shared dates",
  shared_numbers: "Shared numbers", shared_quotes: "Shared quotes", sentence_pairs: "Closest sentence pairs",
};
// One convention for score bars, here and in `storymatch compare`: the longer the bar, the more similar.
const BAR_LEGEND = "The longer the bar, the more similar. SemEval-2022 scale: 1 = very similar (a full bar), " +
  "4 = very dissimilar (no bar).";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function setStatus(message, kind) {
  const s = $("status");
  s.textContent = message || "";
  s.className = kind || "";
}

async function api(path, options) {
  let resp;
  try {
    resp = await fetch(path, options);
  } catch (e) {
    throw new Error("cannot reach the storymatch server (" + e.message + ")");
  }
  let data = null;
  try { data = await resp.json(); } catch (e) { /* not JSON */ }
  if (!resp.ok) throw new Error((data && data.error) || ("HTTP " + resp.status));
  return data;
}

// ---- input ----------------------------------------------------------------------------

async function loadFile(side, file) {
  if (!file) return;
  const fd = new FormData();
  fd.append("file", file, file.name);
  setStatus("Reading " + file.name + "…", "busy");
  try {
    const art = await api("/api/parse", { method: "POST", body: fd });
    $("text-" + side).value = art.text;
    $("title-" + side).value = art.title || "";
    $("date-" + side).value = art.date || "";
    $("source-" + side).value = art.source || file.name;
    setStatus("Read " + file.name + ".", "");
  } catch (e) {
    setStatus(e.message, "error");
  }
}

function articleFromForm(side) {
  const art = { text: $("text-" + side).value };
  for (const f of ["title", "date", "source"]) {
    const v = $(f + "-" + side).value.trim();
    if (v) art[f] = v;
  }
  return art;
}

async function submitPair(ev) {
  ev.preventDefault();
  const a = articleFromForm("a"), b = articleFromForm("b");
  const paraphrase = $("paraphrase").checked;
  if (!a.text.trim() || !b.text.trim()) {
    setStatus("Give both articles: paste the text or upload a file for A and for B.", "error");
    return;
  }
  $("compare-btn").disabled = true;
  setStatus(paraphrase ? "Comparing, with the paraphrase level…" : "Comparing…", "busy");
  try {
    const body = paraphrase ? { a, b, paraphrase: true } : { a, b };
    const result = await api("/api/compare", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    render(result, a.text, b.text);
    setStatus("", "");
  } catch (e) {
    setStatus(e.message, "error");
  } finally {
    $("compare-btn").disabled = false;
  }
}

// ---- offsets and highlights -----------------------------------------------------------

// utf16[i] is where code point i starts in the JavaScript string (and utf16[n] its length).
function codePointIndex(text) {
  const idx = [];
  let u = 0;
  for (const ch of text) { idx.push(u); u += ch.length; }
  idx.push(u);
  return idx;
}

function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

// Where `phrase` occurs as whole words in text[from, to), or null.
function findPhrase(text, phrase, from, to) {
  if (!phrase) return null;
  const re = new RegExp("(?<![\\p{L}\\p{N}])" + escapeRegExp(phrase) + "(?![\\p{L}\\p{N}])", "gu");
  re.lastIndex = from;
  const m = re.exec(text);
  if (m && m.index + phrase.length <= to) return [m.index, m.index + phrase.length];
  const i = text.indexOf(phrase, from);
  return i >= 0 && i + phrase.length <= to ? [i, i + phrase.length] : null;
}

// Ranges on one side: passages (with colour) and the swapped phrases inside them.
function sideRanges(text, passages, side) {
  const cp = codePointIndex(text);
  const n = cp.length - 1;
  const at = (i) => cp[Math.max(0, Math.min(n, i))];
  const spans = [], swaps = [];
  passages.forEach((p, i) => {
    const start = at(p[side + "_start"]), end = at(p[side + "_end"]);
    if (end <= start) return;
    spans.push({ id: i, start, end, kind: p.kind });
    let cursor = start;
    // a translation's "substitutions" are its sentence pairs: each sentence gets its original (or its
    // translation) as a tooltip, without the swap highlight
    const translated = p.kind === "translation";
    for (const [bPhrase, aPhrase] of p.substitutions || []) {
      const mine = side === "a" ? aPhrase : bPhrase;
      const hit = findPhrase(text, mine, cursor, end) || findPhrase(text, mine, start, end);
      if (!hit) continue;
      swaps.push({ start: hit[0], end: hit[1], cls: translated ? "tsent" : "swap",
                   title: translated ? (side === "a" ? bPhrase : aPhrase) : bPhrase + " \u2192 " + aPhrase });
      cursor = hit[1];
    }
  });
  return { spans, swaps };
}

// A piece of text with each lone line break (a paragraph break in text read from HTML, which separates
// paragraphs with one "\n") drawn as a gap between paragraphs. The "\n" stays in the page's text, so the
// offsets still index exactly what is drawn; a blank line ("\n\n") is already a gap and stays as it is.
function withParagraphs(piece, prevChar, nextChar) {
  const frag = document.createDocumentFragment();
  let at = 0;
  for (let i = 0; i < piece.length; i++) {
    if (piece[i] !== "\n") continue;
    const before = i > 0 ? piece[i - 1] : prevChar, after = i + 1 < piece.length ? piece[i + 1] : nextChar;
    if (before === "\n" || after === "\n") continue;
    if (i > at) frag.append(piece.slice(at, i));
    frag.append(el("span", { class: "para-break" }, "\n"));
    at = i + 1;
  }
  if (at < piece.length) frag.append(piece.slice(at));
  return frag;
}

// The text as a fragment of plain text, passage spans and swap marks, cut at every boundary.
function highlightedText(text, passages, side) {
  const { spans, swaps } = sideRanges(text, passages, side);
  const cuts = new Set([0, text.length]);
  for (const r of spans.concat(swaps)) { cuts.add(r.start); cuts.add(r.end); }
  const points = [...cuts].sort((x, y) => x - y);
  const frag = document.createDocumentFragment();
  for (let k = 0; k + 1 < points.length; k++) {
    const s = points[k], e = points[k + 1];
    const piece = text.slice(s, e);
    const covering = spans.filter((r) => r.start <= s && r.end >= e);
    const swap = swaps.find((r) => r.start <= s && r.end >= e);
    const plain = withParagraphs(piece, text[s - 1], text[e]);
    let node = swap ? el("mark", { class: swap.cls, title: swap.title }, plain) : plain;
    if (covering.length) {
      const first = covering[covering.length - 1];
      node = el("span", {
        class: "passage c" + (first.id % PALETTE) + " kind-" + first.kind,
        dataset: { p: covering.map((r) => r.id).join(" ") },
        title: "passage " + (first.id + 1) + " (" + first.kind + ")",
      }, node);
    }
    frag.append(node);
  }
  return frag;
}

function linkPassages() {
  const all = document.querySelectorAll(".doc .passage, #passages li");
  const twins = (node) => {
    const ids = node.dataset.p.split(" ");
    return [...all].filter((o) => o.dataset.p.split(" ").some((x) => ids.includes(x)));
  };
  for (const node of all) {
    node.addEventListener("mouseenter", () => twins(node).forEach((o) => o.classList.add("lit")));
    node.addEventListener("mouseleave", () => all.forEach((o) => o.classList.remove("lit")));
    node.addEventListener("click", () => {
      const inA = node.closest("#doc-a") !== null;
      const target = twins(node).find((o) => o.closest(inA ? "#doc-b" : "#doc-a"));
      if (target) target.scrollIntoView({ block: "center", behavior: "smooth" });
    });
  }
}

// ---- the rest of the result -----------------------------------------------------------

function pct(x) { return (100 * x).toFixed(x < 0.1 && x > 0 ? 1 : 0) + "%"; }

function docHead(summary, side) {
  const bits = [summary.source, summary.date, summary.language, summary.chars + " characters"].filter(Boolean);
  return [el("div", { class: "side-label" }, "Article " + side.toUpperCase()),
    el("h2", {}, summary.title || summary.source || "(untitled)"), el("div", { class: "muted" }, bits.join(" · "))];
}

// Seven bars on one axis running from 4 (very dissimilar, left) to 1 (very similar, right): each bar starts at
// 4 and ends at its score, so the longer the bar, the more similar, as in the command line's report.
function scoreChart(scores) {
  const W = 360, rowH = 24, left = 88, right = 40, top = 18;
  const x = (v) => left + ((4 - Math.min(4, Math.max(1, v))) / 3) * (W - left - right);
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  const H = top + rowH * SCORE_NAMES.length + 18;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Seven similarity scores; the longer the bar, the more similar " +
    "(1 very similar, 4 very dissimilar)");
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.append(n);
    return n;
  };
  const bottom = top + rowH * SCORE_NAMES.length;
  for (const t of [4, 3, 2, 1]) {
    add("line", { x1: x(t), x2: x(t), y1: top - 4, y2: bottom, class: "tick" });
    add("text", { x: x(t), y: 11, class: "tick-label", "text-anchor": "middle" }, String(t));
  }
  add("text", { x: x(4), y: bottom + 13, class: "axis-end", "text-anchor": "start" }, "very dissimilar");
  add("text", { x: x(1), y: bottom + 13, class: "axis-end", "text-anchor": "end" }, "very similar");
  SCORE_NAMES.forEach((name, i) => {
    const v = scores[name];
    const y = top + i * rowH;
    add("text", { x: left - 8, y: y + 15, class: "score-name", "text-anchor": "end" }, name);
    if (typeof v !== "number") return;
    const hue = Math.round(130 - ((Math.min(4, Math.max(1, v)) - 1) / 3) * 130);
    const end = x(v);
    add("rect", { x: x(4), y: y + 5, width: Math.max(2, end - x(4)), height: 13, rx: 3,
      fill: `hsl(${hue} 55% 52%)`, class: "bar", "data-score": name });
    const inside = end > W - right - 4;
    add("text", { x: inside ? end - 5 : end + 5, y: y + 15, class: "score-value" + (inside ? " inside" : ""),
      "text-anchor": inside ? "end" : "start" }, v.toFixed(2));
  });
  return svg;
}

function evidenceItem(item) {
  if (item === null || typeof item !== "object") return el("li", {}, String(item));
  if ("a" in item && "b" in item) {
    return el("li", { class: "pair" },
      el("div", {}, el("b", {}, "A "), item.a), el("div", {}, el("b", {}, "B "), item.b),
      "similarity" in item ? el("div", { class: "muted" }, "similarity " + Number(item.similarity).toFixed(2)) : null);
  }
  if ("name" in item) return el("li", {}, item.name + (item.country ? " (" + item.country + ")" : ""));
  return el("li", {}, JSON.stringify(item));
}

// Only the kinds of evidence the pair has: an empty "Shared numbers (0)" tells a reader nothing.
function renderEvidence(evidence) {
  const box = $("evidence");
  box.replaceChildren();
  for (const [key, items] of Object.entries(evidence || {})) {
    const list = Array.isArray(items) ? items : [items];
    if (!list.length) continue;
    box.append(el("div", { class: "ev-group", "data-key": key },
      el("h4", {}, (EVIDENCE_LABELS[key] || key.replace(/_/g, " ")) + " (" + list.length + ")"),
      el("ul", { class: key === "sentence_pairs" ? "pairs" : "chips" }, list.map(evidenceItem))));
  }
  if (!box.children.length) box.append(el("p", { class: "muted" }, "No shared names, places, dates or numbers."));
}

// Every model that took part in the result (the compare JSON's "models"): what a changed score traces back to.
function modelName(m) { return m ? m.model.split("/").pop() + " (" + m.runtime + ")" : null; }
function bySide(pair) { return !pair ? null : pair.a === pair.b ? pair.a : "A " + pair.a + " · B " + pair.b; }

function renderModels(result) {
  const m = result.models || {};
  const rows = [
    ["embeddings", el("span", {}, modelName(m.embeddings) || "", " ", el("code", { id: "backend" }, result.backend || "?"))],
    ["English headlines", modelName(m.headline)],
    ["names", bySide(m.entities)],
    ["language", bySide(m.language)],
    ["translations", modelName(m.translation)],
    ["paraphrases", modelName(m.paraphrase)],
    ["scores", m.scorer || result.scorer],
    ["verdict", m.verifier],  // the same-story verdict and its probability are the verifier's
  ].filter(([, v]) => v);
  return el("dl", { class: "models", id: "models" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function renderPassages(passages) {
  const list = $("passages");
  list.replaceChildren();
  if (!passages.length) list.append(el("p", { class: "muted" }, "No reused text found."));
  passages.forEach((p, i) => {
    const subs = p.kind === "translation" ? [] : (p.substitutions || []).map(([b, a]) => b + " \u2192 " + a);
    list.append(el("li", { class: "c" + (i % PALETTE), dataset: { p: String(i) } },
      el("span", { class: "swatch c" + (i % PALETTE) }), " ",
      el("b", {}, p.kind), ", similarity " + Number(p.similarity).toFixed(2),
      subs.length ? el("span", { class: "subs" }, " · swapped: " + subs.join(", ")) : null,
      p.kind === "translation" ? el("span", { class: "subs" }, " · " + (p.substitutions || []).length +
        " translated sentence(s); hover one to read its original") : null));
  });
}

function render(result, textA, textB) {
  const reuse = result.reuse || { passages: [] };
  const passages = reuse.passages || [];
  $("results").hidden = false;

  const v = $("verdict");
  // same_story is null when an article has too little text for a verdict ("cannot tell", and why)
  const unsure = result.same_story === null || result.same_story === undefined;
  v.className = "card verdict " + (unsure ? "unsure" : result.same_story ? "same" : "different");
  v.replaceChildren(...[
    el("div", { class: "verdict-line" }, unsure ? "Cannot tell" : result.same_story ? "Same story" : "Different stories"),
    el("div", { class: "prob" }, "probability that they report the same story: " + pct(result.probability) +
      (unsure ? " (a guess)" : "")),
    unsure ? el("p", { class: "reason", id: "too-little-text" }, result.too_little_text || "too little text") : null,
    el("div", { class: "models-head" }, "Models"), renderModels(result)].filter(Boolean));

  const src = $("source-card");
  const who = reuse.likely_source ? "Article " + reuse.likely_source.toUpperCase() : "undetermined";
  src.replaceChildren(el("h3", {}, "Likely source"),
    el("div", { class: "source-line", id: "likely-source" }, who),
    reuse.source_reason ? el("p", { class: "reason" }, reuse.source_reason) : null,
    el("p", { class: "muted" }, passages.length + " reused passage" + (passages.length === 1 ? "" : "s") +
      " · the shared text is " + pct(reuse.coverage_a || 0) + " of A and " + pct(reuse.coverage_b || 0) + " of B"));

  $("scores").replaceChildren(scoreChart(result.scores || {}), el("p", { class: "muted bar-legend" }, BAR_LEGEND));
  const paraphraseNote = $("paraphrase").checked ? "" : " (more with “reworded sentences” ticked)";
  $("legend").replaceChildren(el("span", {}, "Same colour = same passage on both sides; hover one to light its twin, click to scroll to it. "),
    el("span", { class: "passage c0 kind-verbatim" }, "verbatim"), " ",
    el("span", { class: "passage c0 kind-near-verbatim" }, "near-verbatim"), " ",
    el("span", { class: "passage c0 kind-paraphrase", title: "text edited heavily (similarity under 0.8), or a sentence reworded throughout" }, "paraphrase"),
    paraphraseNote ? el("span", { class: "muted" }, paraphraseNote) : null, " ",
    el("span", { class: "passage c0 kind-translation" }, "translation"), " ",
    el("mark", { class: "swap", title: "B's wording \u2192 A's wording" }, "swapped words"));

  $("head-a").replaceChildren(...docHead(result.a || {}, "a"));
  $("head-b").replaceChildren(...docHead(result.b || {}, "b"));
  $("doc-a").replaceChildren(highlightedText(textA, passages, "a"));
  $("doc-b").replaceChildren(highlightedText(textB, passages, "b"));
  renderPassages(passages);
  renderEvidence(result.evidence);
  linkPassages();
  $("results").scrollIntoView({ behavior: "auto", block: "start" });
}

// ---- wiring ---------------------------------------------------------------------------

function showView(name) {
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== "view-" + name;
  for (const t of document.querySelectorAll(".tab")) t.classList.toggle("active", t.dataset.view === name);
}

async function init() {
  $("pair-form").addEventListener("submit", submitPair);
  for (const side of ["a", "b"]) {
    $("file-" + side).addEventListener("change", (e) => loadFile(side, e.target.files[0]));
    $("text-" + side).addEventListener("input", () => { $("source-" + side).value = ""; });
  }
  for (const t of document.querySelectorAll(".tab")) {
    t.addEventListener("click", (e) => {
      e.preventDefault();
      showView(t.dataset.view);
      history.replaceState(null, "", "#" + t.dataset.view);  // the address opens this tab again
    });
  }
  try {
    const health = await api("/api/health");
    if (health.store && window.StoryBrowser) {
      $("stories-tab").hidden = false;
      window.StoryBrowser.init(health);
      // a link to /#stories opens the Stories tab, as a click on it does (its list loads on that click)
      if (location.hash === "#stories") $("stories-tab").click();
    }
  } catch (e) { /* the compare view works without it */ }
}

document.addEventListener("DOMContentLoaded", init);
