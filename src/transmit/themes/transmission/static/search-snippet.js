// transmit search snippets: where a query's terms occur in a post's own text, marked, and a
// window of that text around the best matches. Matches are found with the index's own tokens
// (search-engine.js), so what is marked is exactly what the search matched.

import { isCJK, spanTokens } from "./search-engine.js";

// [start, end) ranges of `text` where the terms match, merged and in order.
export function matchRanges(text, terms) {
  const tokens = spanTokens(text);
  const ranges = [];
  terms.forEach((term, termIndex) => {
    const last = term.tokens[term.tokens.length - 1];
    for (let i = 0; i < tokens.length; i += 1) {
      const ok = term.tokens.every((spec) => {
        const tok = tokens[i + spec.offset];
        return tok && (spec.prefix ? tok.t.startsWith(spec.text) : tok.t === spec.text);
      });
      if (!ok) continue;
      const end = tokens[i + last.offset];
      ranges.push({ start: tokens[i].s, end: last.cjk && last.prefix ? end.f : end.e, term: termIndex });
    }
  });
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  return ranges;
}

function merged(ranges) {
  const out = [];
  for (const r of ranges) {
    const prev = out[out.length - 1];
    if (prev && r.start <= prev.end) prev.end = Math.max(prev.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

// The text as [{text, mark}] pieces, matches marked.
export function highlight(text, terms, from = 0, to = text.length) {
  const pieces = [];
  let at = from;
  for (const r of merged(matchRanges(text, terms))) {
    const start = Math.max(r.start, from);
    const end = Math.min(r.end, to);
    if (end <= start) continue;
    if (start > at) pieces.push({ text: text.slice(at, start), mark: false });
    pieces.push({ text: text.slice(start, end), mark: true });
    at = end;
  }
  if (at < to) pieces.push({ text: text.slice(at, to), mark: false });
  return pieces;
}

const LATIN = /[\p{L}\p{N}]/u;
const SENTENCE_ENDS = "。！？；.!?;\n";

function isInsideWord(text, at) {
  return at > 0 && at < text.length && LATIN.test(text[at - 1]) && LATIN.test(text[at]) && !isCJK(text[at]);
}

// A window of about `length` UTF-16 units around the densest matches, as highlight pieces,
// with "…" where the author's text was cut. It starts after a sentence end shortly before the
// first match when there is one; cuts never split a word or a surrogate pair.
export function snippet(text, terms, length = 160) {
  const ranges = matchRanges(text, terms).slice(0, 400);
  const lead = Math.floor(length / 5);
  let best = { start: 0, match: 0, score: -1 };
  ranges.forEach((r) => {
    const start = Math.max(0, r.start - lead);
    const inside = ranges.filter((o) => o.start >= start && o.end <= start + length);
    const score = new Set(inside.map((o) => o.term)).size * 1000 + inside.length;
    if (score > best.score) best = { start, match: r.start, score };
  });
  let start = best.start;
  const before = text.slice(start, best.match);
  const sentenceEnd = Math.max(...[...SENTENCE_ENDS].map((mark) => before.lastIndexOf(mark)));
  if (sentenceEnd >= 0) {
    start += sentenceEnd + 1;
    while (start < best.match && /\s/.test(text[start])) start += 1;
  }
  let end = Math.min(text.length, start + length);
  for (let n = 0; n < 20 && isInsideWord(text, start); n += 1) start -= 1;
  for (let n = 0; n < 20 && isInsideWord(text, end); n += 1) end += 1;
  if (/[\uDC00-\uDFFF]/.test(text[start] ?? "")) start -= 1;
  if (/[\uDC00-\uDFFF]/.test(text[end] ?? "")) end += 1;
  const pieces = highlight(text, terms, start, end);
  if (start > 0) pieces.unshift({ text: "…", mark: false, cut: true });
  if (end < text.length) pieces.push({ text: "…", mark: false, cut: true });
  return pieces;
}
