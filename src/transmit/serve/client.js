// transmit serve: live reload and the error overlay. Added to HTML responses by the dev server only;
// built files never contain it. Messages come over Server-Sent Events, one per build, plus the
// current state on every (re)connection.
(() => {
  "use strict";
  const script = document.currentScript;
  const pageVersion = Number(script.dataset.version);
  const scrollKey = "transmit-serve-scroll:" + location.pathname;
  let styleVersion = Number(script.dataset.styleVersion);

  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = saved.split(",").map(Number);
    const restore = () => window.scrollTo(x, y);
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore, { once: true });
  }

  function reload() {
    sessionStorage.setItem(scrollKey, `${window.scrollX},${window.scrollY}`);
    location.reload();
  }

  // Stylesheets from this server get a new query; the old sheet goes once the new one has loaded,
  // so the page never shows unstyled.
  function swapStyles(version) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("transmit-serve", String(version));
      const fresh = link.cloneNode();
      fresh.href = url.href;
      const drop = () => link.remove();
      fresh.addEventListener("load", drop, { once: true });
      fresh.addEventListener("error", drop, { once: true });
      link.after(fresh);
    }
  }

  const overlayId = "transmit-serve-overlay";
  const overlayStyle = `
    :host { all: initial; }
    .panel { position: fixed; inset: 0; z-index: 2147483647; overflow: auto; box-sizing: border-box;
      padding: 2rem; background: rgba(12, 14, 18, 0.94); color: #f4f4f5;
      font: 14px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC", monospace; }
    h2 { margin: 0 0 1rem; font-size: 16px; color: #ff7b72; }
    ol { margin: 0; padding: 0; list-style: none; }
    li { margin: 0 0 0.75rem; padding: 0.75rem 1rem; border-left: 3px solid #ff7b72;
      background: rgba(255, 123, 114, 0.08); white-space: pre-wrap; overflow-wrap: anywhere; }
    .where { color: #79c0ff; }
    p { margin: 1rem 0 0; color: #a1a1aa; }
    button { float: right; font: inherit; color: inherit; background: none; border: 1px solid #52525b;
      border-radius: 4px; padding: 0.25rem 0.75rem; cursor: pointer; }
  `;

  function showOverlay(errors) {
    hideOverlay();
    const host = document.createElement("div");
    host.id = overlayId;
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = overlayStyle;
    const panel = document.createElement("div");
    panel.className = "panel";
    panel.setAttribute("role", "alert");
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Hide");
    close.addEventListener("click", () => host.remove());
    const title = document.createElement("h2");
    title.textContent = errors.length === 1 ? "The build failed" : `The build failed: ${errors.length} problems`;
    const list = document.createElement("ol");
    for (const error of errors) {
      const item = document.createElement("li");
      if (error.path) {
        const where = document.createElement("span");
        where.className = "where";
        where.textContent = error.line ? `${error.path}:${error.line}: ` : `${error.path}: `;
        item.append(where);
      }
      item.append(document.createTextNode(error.message));
      list.append(item);
    }
    const note = document.createElement("p");
    note.textContent = "The page shows the last good build. Fix the file and save: this goes away.";
    panel.append(close, title, list, note);
    root.append(style, panel);
    document.documentElement.append(host);
  }

  function hideOverlay() {
    document.getElementById(overlayId)?.remove();
  }

  const events = new EventSource(script.dataset.events);
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    if (state.session !== script.dataset.session || state.page_version > pageVersion) {
      reload();
      return;
    }
    if (state.errors.length > 0) showOverlay(state.errors);
    else hideOverlay();
    if (state.version > styleVersion) {
      styleVersion = state.version;
      swapStyles(state.version);
    }
  });
})();
