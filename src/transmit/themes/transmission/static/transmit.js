// transmission theme: small progressive enhancements. Loaded with `defer`; every page works
// without it. The theme itself is chosen before first paint by the inline script in <head>.
(() => {
  "use strict";
  const root = document.documentElement;
  const STORAGE_KEY = "transmit-theme";
  const lang = (root.lang || "en").toLowerCase();
  const zh = lang.startsWith("zh");
  const text = {
    copy: zh ? "复制" : "Copy",
    copied: zh ? "已复制" : "Copied",
    label: zh ? "复制代码" : "Copy code",
    failed: zh ? "复制失败" : "Copy failed",
    section: zh ? "本节链接：" : "Link to this section: ",
  };

  // Theme toggle: remembers an explicit choice; otherwise follows the system.
  const toggle = document.querySelector(".theme-toggle");
  const systemLight = matchMedia("(prefers-color-scheme: light)");
  const stored = () => {
    try {
      return localStorage.getItem(STORAGE_KEY);
    } catch {
      return null;
    }
  };
  const apply = (theme) => {
    root.setAttribute("data-theme", theme);
    if (toggle) toggle.setAttribute("aria-pressed", String(theme === "dark"));
  };
  apply(root.getAttribute("data-theme") === "light" ? "light" : "dark");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      apply(next);
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch {
        // private mode: the choice lasts for this page only
      }
    });
  }
  systemLight.addEventListener("change", (event) => {
    const choice = stored();
    if (choice !== "light" && choice !== "dark") apply(event.matches ? "light" : "dark");
  });

  let announcer = null;
  const announce = (message) => {
    if (!announcer) {
      announcer = document.createElement("p");
      announcer.className = "visually-hidden";
      announcer.setAttribute("role", "status");
      document.body.append(announcer);
    }
    announcer.textContent = "";
    setTimeout(() => {
      announcer.textContent = message;
    }, 50);
  };

  // Copy buttons. The renderer writes a hidden button.code-copy in each block's header; it is
  // shown and wired here. A bare <pre> (raw HTML) gets a button.copy-code of its own.
  const codeText = (pre) => {
    const code = pre.querySelector("code") || pre;
    const copy = code.cloneNode(true);
    for (const number of copy.querySelectorAll(".linenos, .lineno")) number.remove();
    return copy.textContent.replace(/\n$/, "");
  };
  const writeClipboard = async (value) => {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(value);
      return;
    }
    const area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.style.cssText = "position:fixed;top:0;left:0;opacity:0";
    document.body.append(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    if (!done) throw new Error("copy refused");
  };
  const wire = (button, pre) => {
    const label = button.textContent.trim() || text.copy;
    let timer = 0;
    button.hidden = false;
    button.setAttribute("aria-label", text.label);
    button.addEventListener("click", async () => {
      try {
        await writeClipboard(codeText(pre));
        button.textContent = text.copied;
        button.classList.add("is-copied");
        announce(text.copied);
      } catch {
        announce(text.failed);
      }
      clearTimeout(timer);
      timer = setTimeout(() => {
        button.textContent = label;
        button.classList.remove("is-copied");
      }, 1800);
    });
  };
  if (navigator.clipboard || document.queryCommandSupported?.("copy")) {
    for (const pre of document.querySelectorAll(".prose pre")) {
      const block = pre.closest(".code-block");
      const given = block?.querySelector("button.code-copy, button.copy-code");
      if (given) {
        wire(given, pre);
        continue;
      }
      let box = pre.parentElement.matches("div.highlight") ? pre.parentElement : block;
      if (!box) {
        box = document.createElement("div");
        box.className = "code-block";
        pre.before(box);
        box.append(pre);
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy-code";
      button.textContent = text.copy;
      box.append(button);
      wire(button, pre);
    }
  }

  // A link to each section of a post, shown beside its heading on hover and focus.
  for (const heading of document.querySelectorAll(".post-body :is(h2, h3, h4)[id]")) {
    const anchor = document.createElement("a");
    anchor.className = "heading-anchor";
    anchor.href = `#${encodeURIComponent(heading.id)}`;
    anchor.setAttribute("aria-label", text.section + heading.textContent.trim());
    anchor.textContent = "#";
    heading.append(anchor);
  }

  // A formula wider than the column scrolls; make it reachable by keyboard when it does.
  const formulas = document.querySelectorAll(".math-display");
  const markScrollable = () => {
    for (const box of formulas) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    }
  };
  if (formulas.length) {
    markScrollable();
    addEventListener("resize", markScrollable, { passive: true });
  }

  // Table of contents: open beside the post on wide screens, the current section marked.
  const toc = document.querySelector(".post > .toc") || document.querySelector(".toc");
  if (toc) {
    const details = toc.querySelector("details");
    const wide = matchMedia("(min-width: 75rem)");
    const summary = toc.querySelector("summary");
    const fit = () => {
      // Beside the post the contents are always shown; their summary is only a heading there.
      if (details && wide.matches) details.open = true;
      if (summary) summary.tabIndex = wide.matches ? -1 : 0;
    };
    fit();
    wide.addEventListener("change", fit);
    const links = new Map();
    for (const link of toc.querySelectorAll('a[href^="#"]')) {
      const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (target) links.set(target, link);
    }
    if (links.size && "IntersectionObserver" in window) {
      const visible = new Set();
      let current = null;
      const observer = new IntersectionObserver(
        (records) => {
          for (const record of records) {
            if (record.isIntersecting) visible.add(record.target);
            else visible.delete(record.target);
          }
          const headings = [...links.keys()];
          const first = headings.find((heading) => visible.has(heading));
          if (!first) return;
          if (current) current.removeAttribute("aria-current");
          current = links.get(first);
          current.setAttribute("aria-current", "location");
        },
        { rootMargin: "0px 0px -65% 0px" },
      );
      for (const heading of links.keys()) observer.observe(heading);
    }
  }
})();
