// The filter language POST /api/v1/query takes (README, "The filter
// language"), written from the page's chips. Values are always quoted.

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'contains', 'exists']);

export const quote = (v) => '"' + String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

// dimension writes a column as it is and a tag key quoted when it is not
// a plain word.
export function dimension(d) {
  if (!d.startsWith('tag:')) return d;
  const key = d.slice(4);
  return /^[^\s(),=!"]+$/.test(key) && !KEYWORDS.has(key.toLowerCase()) ? d : 'tag:' + quote(key);
}

// condition is one chip: DIM in (…) or DIM not in (…).
export const condition = (c) => `${dimension(c.dim)} ${c.not ? 'not in' : 'in'} (${c.values.map(quote).join(', ')})`;

// build is the whole filter: the chips joined by their and/or (and binds
// tighter than or, as the language reads), and a saved view's own text.
export function build(chips, raw = '') {
  const text = chips.map((c, i) => (i ? c.join + ' ' : '') + condition(c)).join(' ');
  if (raw && text) return `(${raw}) and (${text})`;
  return raw || text;
}

// describe is a chip in words for its button.
export function describe(c) {
  const values = c.values.length > 3 ? `${c.values.slice(0, 2).join(', ')} and ${c.values.length - 2} more` : c.values.join(', ');
  return `${c.dim} ${c.not ? 'is not' : 'is'} ${values}`;
}

// parseChips reads back the filters build writes without a saved text
// (conditions joined by and/or, no parentheses), so that a saved view's
// filter opens as chips; null when the text has another shape.
export function parseChips(src) {
  const toks = lex(src);
  if (!toks) return null;
  let i = 0;
  const peek = () => toks[i];
  const word = (w) => peek()?.kind === 'word' && peek().text.toLowerCase() === w && (i++, true);
  const punct = (p) => peek()?.kind === 'punct' && peek().text === p && (i++, true);
  const value = () => { const t = toks[i]; if (t && t.kind !== 'punct') { i++; return t.text; } return null; };
  const chips = [];
  while (i < toks.length) {
    let join = 'and';
    if (chips.length) {
      if (word('and')) join = 'and';
      else if (word('or')) join = 'or';
      else return null;
    }
    const d = toks[i++];
    if (!d || d.kind !== 'word' || KEYWORDS.has(d.text.toLowerCase())) return null;
    let dim = d.text;
    if (dim.toLowerCase() === 'tag:' && peek()?.kind === 'string' && peek().at === d.end) dim = 'tag:' + toks[i++].text;
    let not = false;
    const values = [];
    if (punct('=') || (punct('!') && punct('=') && (not = true))) {
      const v = value();
      if (v === null) return null;
      values.push(v);
    } else {
      not = word('not');
      if (!word('in') || !punct('(')) return null;
      do {
        const v = value();
        if (v === null) return null;
        values.push(v);
      } while (punct(','));
      if (!punct(')')) return null;
    }
    chips.push({ join, not, dim, values });
  }
  return chips;
}

// lex splits filter text into words, quoted strings and punctuation, as
// the server's lexer does; null on an unclosed quote.
function lex(src) {
  const out = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if ('(),=!'.includes(c)) { out.push({ kind: 'punct', text: c, at: i, end: i + 1 }); i++; continue; }
    if (c === '"') {
      let s = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j];
      }
      if (j >= src.length) return null;
      out.push({ kind: 'string', text: s, at: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < src.length && !/[\s(),=!"]/.test(src[j])) j++;
    out.push({ kind: 'word', text: src.slice(i, j), at: i, end: j });
    i = j;
  }
  return out;
}
