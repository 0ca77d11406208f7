// transmit search engine: reads the index written by transmit/site/search.py.
// Tokens follow transmit/site/search_text.py rule for rule: every CJK character is one
// position holding the bigram that starts there (the last of a run holds itself), other text
// is split into words of letters and digits. A query term is a phrase of such tokens at
// consecutive positions, so a Chinese query finds exactly the posts that contain it.

export const SEARCH_DIR = "search-index";
export const MAX_WORD = 60;
const FORMAT_VERSION = 4;

// Same list as CJK_RANGES in search_text.py.
const CJK_RANGES = [
  [0x2e80, 0x2fdf], [0x3005, 0x3007], [0x3021, 0x3029], [0x3031, 0x3035],
  [0x3038, 0x303c], [0x3040, 0x309f], [0x30a0, 0x30ff], [0x3100, 0x312f],
  [0x3131, 0x318e], [0x31a0, 0x31ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa960, 0xa97f], [0xac00, 0xd7ff], [0xf900, 0xfaff], [0x20000, 0x3ffff],
];
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
// Ranking: BM25 over the body, plus fixed boosts when a term is in the title or the
// category/tags; a word found only as the start of a longer word counts half.
const K1 = 1.2;
const B = 0.75;
const TITLE_BOOST = 2.5;
const META_BOOST = 1.2;
const PREFIX_WEIGHT = 0.5;

// Positions a post of `length` tokens reserves: its tokens, room to grow and at least one empty
// position (post_span in search_postings.py, rule for rule).
export function postSpan(length) {
  const bits = length === 0 ? 0 : 32 - Math.clz32(length);
  const step = 2 ** Math.max(4, bits - 3);
  return (Math.floor(length / step) + 1) * step;
}

export function normalize(text) {
  return text.normalize("NFKC").toLowerCase();
}

export function isCJK(char) {
  const cp = char.codePointAt(0);
  return CJK_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);
}

function charClass(char) {
  if (isCJK(char)) return "cjk";
  return WORD_CHAR.test(char) ? "word" : "";
}

// Runs of CJK characters and words, in order: [{kind, chars: [{c, s, e}]}]. `s`/`e` are the
// UTF-16 offsets in `source` of the character each normalised character came from.
function runs(chars) {
  const out = [];
  let current = null;
  for (const ch of chars) {
    const kind = charClass(ch.c);
    if (!kind) {
      current = null;
    } else if (current && current.kind === kind) {
      current.chars.push(ch);
    } else {
      current = { kind, chars: [ch] };
      out.push(current);
    }
  }
  return out;
}

function runTokens(run) {
  if (run.kind === "word") {
    const chars = run.chars.slice(0, MAX_WORD);
    const last = run.chars[run.chars.length - 1];
    return [{ t: chars.map((c) => c.c).join(""), s: run.chars[0].s, f: last.e, e: last.e }];
  }
  return run.chars.map((ch, k) => {
    const next = run.chars[k + 1];
    return { t: next ? ch.c + next.c : ch.c, s: ch.s, f: ch.e, e: next ? next.e : ch.e };
  });
}

// The index's tokens of `text` (what search_text.index_tokens returns in Python).
export function indexTokens(text) {
  const chars = Array.from(normalize(text), (c) => ({ c, s: 0, e: 0 }));
  return runs(chars).flatMap(runTokens).map((tok) => tok.t);
}

// Tokens with their place in `text`, for highlighting: t (token), s (start), f (end of its
// first character), e (end). Normalised one code point at a time so offsets stay exact.
export function spanTokens(text) {
  const chars = [];
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i);
    const size = code > 0xffff ? 2 : 1;
    if (code < 0x80) chars.push({ c: text[i].toLowerCase(), s: i, e: i + 1 }); // NFKC keeps ASCII
    else for (const c of normalize(text.slice(i, i + size))) chars.push({ c, s: i, e: i + size });
    i += size;
  }
  return runs(chars).flatMap(runTokens);
}

// Query -> terms, all of which must match: the parts between white space, or a "quoted
// phrase" as one part. A term is a phrase of tokens [{text, offset, prefix, cjk}]: two or
// more CJK characters become their bigrams, a lone CJK character matches any token starting
// with it, and the last word of a term matches as a prefix (a word still being typed).
export function parseQuery(query) {
  const terms = [];
  const seen = new Set();
  const pieces = normalize(query).match(/["“”][^"“”]*["“”]?|[^\s"“”]+/gu) ?? [];
  for (const piece of pieces) {
    const pieceRuns = runs(Array.from(piece, (c) => ({ c, s: 0, e: 0 })));
    const tokens = [];
    let offset = 0;
    pieceRuns.forEach((run, index) => {
      const chars = run.chars.map((ch) => ch.c);
      if (run.kind === "cjk") {
        if (chars.length === 1) tokens.push({ text: chars[0], offset, prefix: true, cjk: true });
        for (let k = 0; k + 1 < chars.length; k += 1) {
          tokens.push({ text: chars[k] + chars[k + 1], offset: offset + k, prefix: false, cjk: true });
        }
        offset += chars.length;
      } else {
        const word = chars.slice(0, MAX_WORD);
        const last = index === pieceRuns.length - 1;
        tokens.push({ text: word.join(""), offset, prefix: last && word.length >= 2, cjk: false });
        offset += 1;
      }
    });
    const key = JSON.stringify(tokens);
    if (tokens.length && !seen.has(key)) {
      seen.add(key);
      terms.push({ source: piece, tokens });
    }
  }
  return terms;
}

export function shardKey(token) {
  const chars = Array.from(token);
  return isCJK(chars[0]) ? chars[0] : chars.slice(0, 2).join("");
}

export function bucketOf(key, buckets) {
  let h = 0x811c9dc5;
  for (const char of key) h = Math.imul(h ^ char.codePointAt(0), 0x01000193) >>> 0;
  return h % buckets;
}

// `format`: "gzip" (meta.tx, doc/) or "deflate-raw" (index/, see search_buckets.py).
async function fetchBytes(url, init, format = "gzip") {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`search index: ${response.status} for ${url}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (format === "gzip" && (bytes[0] !== 0x1f || bytes[1] !== 0x8b)) return bytes; // a server already unzipped it
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const decoder = new TextDecoder();
const GAP_STEP = 0x10ffff; // see gap_code in search_postings.py

// Gaps written as UTF-8 code points (search_postings.py) -> ascending positions from `base`,
// written into `out` from `count`; the new count.
function decodeGaps(bytes, base, out, count) {
  let position = base;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i];
    let gap;
    if (lead < 0x80) {
      gap = lead;
      i += 1;
    } else if (lead < 0xe0) {
      gap = ((lead & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      i += 2;
    } else if (lead < 0xf0) {
      gap = ((lead & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      i += 3;
    } else {
      gap = ((lead & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      i += 4;
    }
    position += gap;
    if (gap !== GAP_STEP) out[count++] = position;
  }
  return count;
}

// One index file: token -> where its positions are, decoded on first use. The file holds a
// section per segment of posts (search_buckets.py), each counting positions from `bases[i]`,
// where its segment's first post starts.
class Bucket {
  constructor(bytes, bases) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bytes = bytes;
    this.entries = new Map(); // token -> [from, to, base] of each section holding it
    this.decoded = new Map();
    let at = 0;
    for (const base of bases) {
      const count = view.getUint32(at, true);
      at += 4;
      for (let n = count; n > 0; n -= 1) {
        const nameLength = view.getUint16(at, true);
        const name = decoder.decode(bytes.subarray(at + 2, at + 2 + nameLength));
        at += 2 + nameLength;
        const bodyLength = view.getUint32(at, true);
        if (!this.entries.has(name)) this.entries.set(name, []);
        this.entries.get(name).push([at + 4, at + 4 + bodyLength, base]);
        at += 4 + bodyLength;
      }
    }
  }

  // Ascending positions of `token` in the site's position space (search_postings.py).
  positions(token) {
    if (!this.decoded.has(token)) {
      const ranges = this.entries.get(token);
      const out = new Uint32Array(ranges.reduce((n, [from, to]) => n + to - from, 0));
      let count = 0;
      for (const [from, to, base] of ranges) count = decodeGaps(this.bytes.subarray(from, to), base, out, count);
      this.decoded.set(token, out.subarray(0, count));
    }
    return this.decoded.get(token);
  }
}

function bisect(sorted, value) {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return mid;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function union(arrays) {
  if (arrays.length === 1) return arrays[0];
  const all = new Uint32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    all.set(a, at);
    at += a.length;
  }
  return all.sort();
}

export class SearchEngine {
  constructor(indexUrl) {
    this.indexUrl = new URL(indexUrl, document.baseURI);
    this.buckets = new Map();
    this.docs = new Map();
    this.metaPromise = null;
  }

  meta() {
    this.metaPromise ??= fetchBytes(new URL("meta.tx", this.indexUrl), { cache: "no-cache" }).then(
      (bytes) => {
        const meta = JSON.parse(decoder.decode(bytes));
        if (meta.version !== FORMAT_VERSION) throw new Error(`search index: format ${meta.version}`);
        // Where each post starts in the position space: each reserves its postSpan.
        meta.start = new Float64Array(meta.posts + 1);
        for (let i = 0; i < meta.posts; i += 1) meta.start[i + 1] = meta.start[i] + postSpan(meta.length[i]);
        return meta;
      },
    );
    return this.metaPromise;
  }

  async file(path, format = "gzip") {
    const meta = await this.meta();
    return fetchBytes(new URL(`${path}?v=${meta.build}`, this.indexUrl), undefined, format);
  }

  bucket(number) {
    if (!this.buckets.has(number)) {
      const bucket = Promise.all([this.meta(), this.file(`index/${number}.tx`, "deflate-raw")]).then(
        ([meta, bytes]) => new Bucket(bytes, meta.segments.map((first) => meta.start[first])),
      );
      this.buckets.set(number, bucket);
    }
    return this.buckets.get(number);
  }

  post(id) {
    if (!this.docs.has(id)) {
      this.docs.set(id, this.file(`doc/${id}.tx`).then((bytes) => JSON.parse(decoder.decode(bytes))));
    }
    return this.docs.get(id);
  }

  // {all, exact}: ascending positions where a query token occurs; `exact` (null when all
  // are) holds those where a word prefix is the whole word, which rank higher.
  async occurrences(token, meta) {
    const bucket = await this.bucket(bucketOf(shardKey(token.text), meta.buckets));
    const names = token.prefix ? [...bucket.entries.keys()].filter((t) => t.startsWith(token.text)) : [token.text];
    const found = names.filter((name) => bucket.entries.has(name)).map((name) => bucket.positions(name));
    const all = found.length ? union(found) : new Uint32Array(0);
    const whole = bucket.entries.has(token.text) ? bucket.positions(token.text) : new Uint32Array(0);
    return { all, exact: token.cjk || whole.length === all.length ? null : whole };
  }

  // Post id -> weighted matches of the term in {title, meta, body}: the places where every
  // token of the term sits at its offset from the first.
  async matchTerm(term, meta) {
    const lists = await Promise.all(term.tokens.map((token) => this.occurrences(token, meta)));
    let anchor = 0;
    lists.forEach((list, i) => {
      if (list.all.length < lists[anchor].all.length) anchor = i;
    });
    const weightAt = (j, position) => {
      const { all, exact } = lists[j];
      if (bisect(all, position) < 0) return 0;
      return exact === null || bisect(exact, position) >= 0 ? 1 : PREFIX_WEIGHT;
    };
    const matches = new Map();
    let doc = 0;
    for (const position of lists[anchor].all) {
      const start = position - term.tokens[anchor].offset;
      let weight = 1;
      for (let j = 0; j < lists.length && weight > 0; j += 1) {
        weight = Math.min(weight, weightAt(j, start + term.tokens[j].offset));
      }
      if (weight === 0) continue;
      while (meta.start[doc + 1] <= start) doc += 1; // anchor positions ascend, so do starts
      const local = start - meta.start[doc];
      let hits = matches.get(doc);
      if (!hits) matches.set(doc, (hits = { title: 0, meta: 0, body: 0 }));
      if (local < meta.metaStart[doc]) hits.title += weight;
      else if (local < meta.bodyStart[doc]) hits.meta += weight;
      else hits.body += weight;
    }
    return matches;
  }

  inFilters(doc, meta, { category = "", tag = "" }) {
    if (category) {
      const own = meta.categories[meta.category[doc]] ?? "";
      if (own !== category && !own.startsWith(`${category} / `)) return false;
    }
    if (tag) {
      const wanted = meta.tags.indexOf(tag);
      if (!meta.tag[doc].includes(wanted)) return false;
    }
    return true;
  }

  // -> {terms, ids}: ids of matching posts, best first (or by date when options.sort says).
  async search(query, options = {}) {
    const meta = await this.meta();
    const terms = parseQuery(query);
    const filtered = (doc) => this.inFilters(doc, meta, options);
    if (!terms.length) {
      const all = options.category || options.tag ? [...Array(meta.posts).keys()].filter(filtered) : [];
      return { terms, ids: options.sort === "oldest" ? all.reverse() : all };
    }
    const perTerm = await Promise.all(terms.map((term) => this.matchTerm(term, meta)));
    const scores = new Map();
    const [first, ...rest] = [...perTerm].sort((a, b) => a.size - b.size);
    for (const doc of first.keys()) {
      if (rest.every((m) => m.has(doc)) && filtered(doc)) scores.set(doc, 0);
    }
    for (const matches of perTerm) {
      const idf = Math.log(1 + (meta.posts - matches.size + 0.5) / (matches.size + 0.5));
      for (const doc of scores.keys()) {
        const hits = matches.get(doc);
        const length = meta.length[doc] - meta.bodyStart[doc];
        const norm = K1 * (1 - B + (B * length) / (meta.averageBody || 1));
        const body = (hits.body * (K1 + 1)) / (hits.body + norm);
        const boost = (hits.title > 0 ? TITLE_BOOST : 0) + (hits.meta > 0 ? META_BOOST : 0);
        scores.set(doc, scores.get(doc) + idf * (body + boost));
      }
    }
    const ids = [...scores.keys()];
    if (options.sort === "newest") ids.sort((a, b) => a - b);
    else if (options.sort === "oldest") ids.sort((a, b) => b - a);
    else ids.sort((a, b) => scores.get(b) - scores.get(a) || a - b);
    return { terms, ids };
  }
}
