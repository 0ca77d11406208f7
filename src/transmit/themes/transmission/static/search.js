// transmit search page: wires the search form to the index (search-engine.js) and shows
// results with snippets (search-snippet.js). Load with
//   <script type="module" src="{base}assets/search.js"></script>
// on a page that has <meta name="transmit-base" content="{base}">, a form[role=search] with
// input#search-input (name q), p#search-status (role=status, aria-live=polite) and
// ol#search-results. Strings come from data-i18n-* on the form, else built-in zh/en by
// <html lang>: data-i18n-count ("找到 {n} 篇"), -count-one, -none ("{q}" = the query),
// -error, -category, -tag, -sort, -any, -relevance, -newest, -oldest, -more.
// Selects #search-category, #search-tag and #search-sort are used if the template has them,
// else added to the form. The address keeps q, category, tag and sort.

import { SEARCH_DIR, SearchEngine } from "./search-engine.js";
import { highlight, snippet } from "./search-snippet.js";

const PAGE_SIZE = 10;
const TYPING_DELAY_MS = 150;
const STRINGS = {
  zh: {
    count: "找到 {n} 篇", countOne: "找到 1 篇", none: "没有找到与“{q}”相关的文章",
    error: "搜索暂时不可用", category: "分类", tag: "标签",
    sort: "排序", any: "全部", relevance: "相关度", newest: "最新", oldest: "最早",
    more: "更多结果",
  },
  en: {
    count: "{n} results", countOne: "1 result", none: "Nothing found for “{q}”",
    error: "Search is unavailable", category: "Category", tag: "Tag",
    sort: "Sort", any: "All", relevance: "Relevance", newest: "Newest", oldest: "Oldest",
    more: "More results",
  },
};

function uiStrings(form) {
  const lang = (document.documentElement.lang || "en").toLowerCase();
  const defaults = lang.startsWith("zh") ? STRINGS.zh : STRINGS.en;
  const strings = {};
  for (const key of Object.keys(defaults)) {
    const attribute = `i18n${key[0].toUpperCase()}${key.slice(1)}`;
    strings[key] = form.dataset[attribute] ?? defaults[key];
  }
  return strings;
}

function basePath() {
  const content = document.querySelector('meta[name="transmit-base"]')?.content || "/";
  return content.endsWith("/") ? content : `${content}/`;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

function appendPieces(parent, pieces) {
  for (const piece of pieces) {
    if (piece.mark) {
      const mark = document.createElement("mark");
      mark.textContent = piece.text;
      parent.append(mark);
    } else {
      parent.append(piece.text);
    }
  }
}

function categoryOptions(categories) {
  const paths = new Set();
  for (const category of categories) {
    const parts = category.split(" / ");
    for (let n = 1; n <= parts.length; n += 1) paths.add(parts.slice(0, n).join(" / "));
  }
  return [...paths].sort();
}

function makeSelect(form, id, name, label, options) {
  let select = document.getElementById(id);
  if (select) return select;
  let box = form.querySelector(".search-filters");
  if (!box) {
    box = document.createElement("div");
    box.className = "search-filters";
    form.append(box);
  }
  const wrapper = document.createElement("label");
  wrapper.className = `search-filter search-filter-${name}`;
  wrapper.append(`${label} `);
  select = document.createElement("select");
  select.id = id;
  select.name = name;
  for (const [value, text] of options) select.append(new Option(text, value));
  wrapper.append(select);
  box.append(wrapper);
  return select;
}

class SearchPage {
  constructor(form) {
    this.form = form;
    this.input = document.getElementById("search-input");
    this.status = document.getElementById("search-status");
    this.list = document.getElementById("search-results");
    this.strings = uiStrings(form);
    this.engine = new SearchEngine(new URL(`${basePath()}${SEARCH_DIR}/`, location.href));
    this.generation = 0;
    this.timer = 0;
    this.shown = 0;
    this.found = null;
    this.more = document.createElement("button");
    this.more.type = "button";
    this.more.className = "search-more";
    this.more.hidden = true;
    this.more.textContent = this.strings.more;
    this.list.after(this.more);
  }

  async start() {
    const params = new URLSearchParams(location.search);
    this.input.value = params.get("q") ?? this.input.value;
    let meta;
    try {
      meta = await this.engine.meta();
    } catch (error) {
      this.status.textContent = this.strings.error;
      throw error;
    }
    const s = this.strings;
    const selects = [];
    if (meta.categories.length) {
      const options = [["", s.any], ...categoryOptions(meta.categories).map((c) => [c, c])];
      selects.push(makeSelect(this.form, "search-category", "category", s.category, options));
    }
    if (meta.tags.length) {
      const options = [["", s.any], ...meta.tags.map((t) => [t, t])];
      selects.push(makeSelect(this.form, "search-tag", "tag", s.tag, options));
    }
    const sorts = [["", s.relevance], ["newest", s.newest], ["oldest", s.oldest]];
    selects.push(makeSelect(this.form, "search-sort", "sort", s.sort, sorts));
    for (const select of selects) {
      const wanted = params.get(select.name);
      if (wanted !== null && [...select.options].some((o) => o.value === wanted)) select.value = wanted;
      select.addEventListener("change", () => this.run());
    }
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    // While an input method composes (pinyin before it becomes 卷积) the text is not the query.
    const later = (event) => {
      if (event.isComposing) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), TYPING_DELAY_MS);
    };
    this.input.addEventListener("input", later);
    this.input.addEventListener("compositionend", later);
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && this.links().length) {
        event.preventDefault();
        this.links()[0].focus();
      }
    });
    this.list.addEventListener("keydown", (event) => this.moveFocus(event));
    this.more.addEventListener("click", () => this.showMore(true));
    if (this.input.value.trim() || params.get("category") || params.get("tag")) await this.run();
  }

  options() {
    const value = (id) => document.getElementById(id)?.value ?? "";
    return { category: value("search-category"), tag: value("search-tag"), sort: value("search-sort") };
  }

  links() {
    return [...this.list.querySelectorAll("a.search-result-link")];
  }

  moveFocus(event) {
    const links = this.links();
    const at = links.indexOf(document.activeElement);
    if (at < 0 || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
    event.preventDefault();
    if (event.key === "ArrowDown") links[Math.min(at + 1, links.length - 1)].focus();
    else if (at === 0) this.input.focus();
    else links[at - 1].focus();
  }

  syncAddress(query, options) {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    for (const [name, value] of Object.entries(options)) if (value) params.set(name, value);
    const search = params.toString();
    history.replaceState(history.state, "", search ? `?${search}` : location.pathname);
  }

  async run() {
    clearTimeout(this.timer);
    const generation = ++this.generation;
    const query = this.input.value.trim();
    const options = this.options();
    this.syncAddress(query, options);
    if (!query && !options.category && !options.tag) {
      this.found = null;
      this.list.replaceChildren();
      this.more.hidden = true;
      this.status.textContent = "";
      return;
    }
    this.list.setAttribute("aria-busy", "true");
    try {
      const found = await this.engine.search(query, options);
      if (generation !== this.generation) return;
      this.found = { ...found, query };
      this.shown = 0;
      this.list.replaceChildren();
      await this.showMore(false);
      if (generation !== this.generation) return;
      const n = found.ids.length;
      const s = this.strings;
      this.status.textContent = n === 0 ? fill(s.none, { q: query }) : fill(n === 1 ? s.countOne : s.count, { n });
    } catch (error) {
      if (generation === this.generation) this.status.textContent = this.strings.error;
      throw error;
    } finally {
      if (generation === this.generation) this.list.removeAttribute("aria-busy");
    }
  }

  async showMore(moveFocus) {
    const generation = this.generation;
    const { ids, terms } = this.found;
    const page = ids.slice(this.shown, this.shown + PAGE_SIZE);
    const posts = await Promise.all(page.map((id) => this.engine.post(id)));
    if (generation !== this.generation) return;
    const items = posts.map((post) => this.renderItem(post, terms));
    this.list.append(...items);
    this.shown += page.length;
    this.more.hidden = this.shown >= ids.length;
    if (moveFocus && items.length) items[0].querySelector("a").focus();
  }

  renderItem(post, terms) {
    const item = document.createElement("li");
    item.className = "search-result";
    if (post.lang) item.lang = post.lang;
    const heading = document.createElement("h2");
    heading.className = "search-result-title";
    const link = document.createElement("a");
    link.className = "search-result-link";
    link.href = post.url;
    appendPieces(link, highlight(post.title, terms));
    heading.append(link);
    const details = document.createElement("p");
    details.className = "search-result-meta";
    if (post.category) {
      const category = document.createElement("span");
      category.className = "search-result-category";
      category.textContent = post.category;
      details.append(category, " · ");
    }
    const date = document.createElement("time");
    date.dateTime = post.date;
    date.textContent = post.date;
    details.append(date);
    const excerpt = document.createElement("p");
    excerpt.className = "search-result-snippet";
    appendPieces(excerpt, snippet(post.text, terms));
    item.append(heading, details, excerpt);
    return item;
  }
}

const form = document.querySelector('form[role="search"]');
if (form && document.getElementById("search-results")) new SearchPage(form).start();
