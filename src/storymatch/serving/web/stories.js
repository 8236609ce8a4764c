// The story browser of `storymatch serve --store`: stories, their articles in time order,
// who reused whom, and the provenance map of an article. Uses el/api/$ from app.js;
// text goes in through textContent only.
"use strict";

window.StoryBrowser = (() => {
  let loaded = false;

  function articleLine(a) {
    return [a.date || "undated", a.source || "?", a.title || a.id].join(" · ");
  }

  async function loadStories() {
    const list = $("story-list");
    list.replaceChildren(el("li", { class: "muted" }, "Loading stories…"));
    try {
      const data = await api("/api/stories?min_size=1&limit=300");
      list.replaceChildren();
      if (!data.stories.length) list.append(el("li", { class: "muted" }, "The store is empty: ingest articles first."));
      for (const s of data.stories) {
        list.append(el("li", { dataset: { story: s.id }, onclick: () => showStory(s.id) },
          el("b", {}, s.size + " article" + (s.size === 1 ? "" : "s")), " — ", s.first.title || s.first.source || s.first.id,
          el("div", { class: "muted" }, "first: " + articleLine(s.first))));
      }
    } catch (e) {
      list.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  async function showStory(id) {
    const box = $("story-detail");
    box.replaceChildren(el("p", { class: "muted" }, "Loading the story and its reuse…"));
    try {
      const s = await api("/api/stories/" + encodeURIComponent(id));
      const byId = Object.fromEntries(s.articles.map((a) => [a.id, a]));
      const name = (aid) => (byId[aid] && (byId[aid].source || byId[aid].title)) || aid;
      box.replaceChildren(
        el("h3", {}, "Story " + s.id + " (" + s.size + " articles)"),
        el("h4", {}, "Articles in time order"),
        el("ol", { class: "timeline", id: "timeline" }, s.articles.map((a) => el("li", { dataset: { id: a.id } },
          el("div", {}, el("b", {}, a.date || "undated"), " · " + (a.source || "?") + " · " + (a.title || a.id)),
          el("button", { class: "small", onclick: () => showTrace(a.id) }, "Provenance map")))),
        el("h4", {}, "Who reused whom"),
        s.edges.length ? el("ul", { id: "edges" }, s.edges.map((e) => el("li", {},
          el("b", {}, name(e.source)), " \u2192 ", el("b", {}, name(e.reuser)),
          ": " + e.sentences + " sentence" + (e.sentences === 1 ? "" : "s") + ", " + pct(e.share) + " of " + name(e.reuser) + " ",
          el("button", { class: "small", onclick: () => comparePair(e.reuser, e.source) }, "Compare side by side"))))
          : el("p", { class: "muted" }, "No reuse between these articles."),
        el("div", { id: "trace-box" }));
    } catch (e) {
      box.replaceChildren(el("p", { class: "error" }, e.message));
    }
  }

  // The article with every sentence taken from an earlier one coloured by its source.
  async function showTrace(id) {
    const box = $("trace-box");
    box.replaceChildren(el("p", { class: "muted" }, "Tracing…"));
    try {
      const t = await api("/api/trace/" + encodeURIComponent(id));
      const cp = codePointIndex(t.text);
      const colour = {};
      const frag = document.createDocumentFragment();
      let at = 0;
      for (const s of t.sentences) {
        const start = cp[s.start], end = cp[s.end];
        if (start > at) frag.append(t.text.slice(at, start));
        const piece = t.text.slice(start, end);
        if (s.sources.length) {
          const m = s.sources[0];
          if (!(m.id in colour)) colour[m.id] = Object.keys(colour).length % PALETTE;
          frag.append(el("span", { class: "passage traced c" + colour[m.id], title: s.sources.map((x) =>
            "from " + (x.source || x.id) + " (" + (x.date || "undated") + "), " + x.kind + " " + x.similarity.toFixed(2)
          ).join("\n") }, piece));
        } else {
          frag.append(piece);
        }
        at = Math.max(at, end);
      }
      frag.append(t.text.slice(at));
      const sources = Object.keys(colour);
      box.replaceChildren(
        el("h4", {}, "Provenance map: " + (t.article.source || t.article.title || t.article.id)),
        el("p", { class: "muted" }, t.attributed + " of " + t.total + " sentences taken from earlier articles (" +
          t.candidates + " earlier candidate" + (t.candidates === 1 ? "" : "s") + " aligned)"),
        el("div", { class: "legend" }, sources.length ? sources.map((sid) => {
          const m = t.sentences.flatMap((s) => s.sources).find((x) => x.id === sid);
          return el("span", { class: "passage c" + colour[sid] }, "from " + (m.source || sid) + (m.date ? " (" + m.date + ")" : ""));
        }) : "No sentence was found in an earlier article."),
        el("div", { class: "doc trace-doc", id: "trace-doc" }, frag));
    } catch (e) {
      box.replaceChildren(el("p", { class: "error" }, e.message));
    }
  }

  // Load two stored articles into the compare view (A = the reuser, B = its source) and run it.
  async function comparePair(aId, bId) {
    try {
      const [a, b] = await Promise.all([aId, bId].map((i) => api("/api/articles/" + encodeURIComponent(i))));
      for (const [side, art] of [["a", a], ["b", b]]) {
        $("text-" + side).value = art.text;
        $("title-" + side).value = art.title || "";
        $("date-" + side).value = art.date || "";
        $("source-" + side).value = art.source || "";
      }
      showView("compare");
      $("pair-form").requestSubmit();
    } catch (e) {
      setStatus(e.message, "error");
    }
  }

  async function search(ev) {
    ev.preventDefault();
    const q = $("search-q").value.trim();
    if (!q) return;
    const box = $("story-detail");
    box.replaceChildren(el("p", { class: "muted" }, "Searching…"));
    try {
      const byId = !/\s/.test(q);
      const data = byId ? await api("/api/search/" + encodeURIComponent(q))
        : await api("/api/search", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ article: { text: q } }) });
      // each hit as far as its JSON goes: a field it lacks is left out, a store story is shown when it has one
      const storyOf = (h) => (h.story && typeof h.story === "object" ? h.story.id : h.story);
      const hitLine = (h) => [
        articleLine(h.article || { id: h.id }),
        typeof h.probability === "number" ? "p(same story) " + pct(h.probability) : null,
        h.reuse && typeof h.reuse.coverage_query === "number" ? "shares " + pct(h.reuse.coverage_query) +
          " of the query's text" : null,
        storyOf(h) ? "story " + storyOf(h) : null,
        // in the query's story though the pair alone falls short: how the story joins them
        h.story_reason ? h.story_reason : null,
      ].filter(Boolean).join(" · ");
      box.replaceChildren(el("h3", {}, "Related to " + (data.article.title || data.article.source || data.article.id)),
        data.results.length ? el("ol", { id: "search-results" }, data.results.map((h) => el("li", {},
          el("b", {}, h.relation || "related"), " · " + hitLine(h) + " ",
          el("button", { class: "small", onclick: () => showTrace(h.id) }, "Provenance map"),
          byId ? el("button", { class: "small", onclick: () => comparePair(q, h.id) }, "Compare side by side")
            : null)))
          : el("p", { class: "muted" }, "Nothing related in the store."),
        data.results.length ? el("p", { class: "muted" }, "Best first: by the higher of p(same story) and the " +
          "share of text the two share. source = an earlier article the query took text from; reuser = a later " +
          "article that took text from it; same story = its story without shared text.") : null,
        el("div", { id: "trace-box" }));
    } catch (e) {
      box.replaceChildren(el("p", { class: "error" }, e.message));
    }
  }

  return {
    init() {
      $("search-form").addEventListener("submit", search);
      $("stories-tab").addEventListener("click", () => { if (!loaded) { loaded = true; loadStories(); } });
    },
    showStory, showTrace,
  };
})();
