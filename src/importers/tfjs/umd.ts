import { FormatError } from '../../errors.js';

/**
 * Reading models packaged as UMD / browserify JavaScript modules (as nsfwjs ships them):
 * `model.min.js` exports the model.json object as an object literal, each `group1-shardXofY.min.js`
 * exports the shard bytes as a base64 string literal. The JavaScript is untrusted input and is never
 * evaluated: the module body `<module>.exports = <literal>` is located in the text and the literal is
 * parsed by a small parser that accepts only data (objects, arrays, strings, numbers, true / false /
 * !0 / !1, null, void 0), never code.
 */

/** After `<identifier>`: `.exports=` followed by the start of a literal (object, array or string). */
const EXPORTS_TAIL_RE = /^\.exports\s*=\s*(?=[{["'])/;

/** The literal a UMD / browserify module exports (see the file comment). `source` names the file in errors. */
export function parseUmdExport(text: string, source: string): unknown {
  // indexOf finds the candidates (a regex scan over a multi-MB base64 shard costs tens of ms)
  const found: number[] = [];
  for (let i = text.indexOf('.exports'); i >= 0; i = text.indexOf('.exports', i + 8)) {
    let s = i;
    while (s > 0 && IDENT.test(text[s - 1])) s--;
    if (s === i || !IDENT_START.test(text[s])) continue;
    const m = EXPORTS_TAIL_RE.exec(text.slice(i, i + 64));
    if (m) found.push(i + m[0].length);
  }
  if (found.length === 0) {
    throw new FormatError(
      `${source}: not a UMD model module: expected the text to contain '<module>.exports = <object or string literal>' (as in nsfwjs model.min.js / group1-shard*.min.js files)`,
    );
  }
  if (found.length > 1) throw new FormatError(`${source}: the module assigns exports ${found.length} times; expected exactly one '<module>.exports = <literal>'`);
  const p = new LiteralParser(text, found[0], source);
  const value = p.value(0);
  p.skipSpace();
  // the literal ends the module function body: `<literal>}` or `<literal>;}`
  if (text[p.pos] === ';') p.pos++;
  p.skipSpace();
  if (text[p.pos] !== '}') p.fail(`expected '}' closing the module function after the exported literal`);
  return value;
}

/** The model.json object exported by a UMD `model.min.js`. */
export function parseUmdModelJson(text: string, source: string): Record<string, unknown> {
  const v = parseUmdExport(text, source);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new FormatError(`${source}: the module exports ${describe(v)}; expected the model.json object`);
  }
  return v as Record<string, unknown>;
}

/** The weight bytes of a UMD shard module (exports one base64 string). */
export function parseUmdShard(text: string, source: string): Uint8Array {
  const v = parseUmdExport(text, source);
  if (typeof v !== 'string') throw new FormatError(`${source}: the module exports ${describe(v)}; expected a base64 string of weight bytes`);
  return decodeBase64(v, source);
}

/** Strict base64 (standard alphabet, '=' padding optional) to bytes. */
export function decodeBase64(s: string, source: string): Uint8Array {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--; // '='
  if (end % 4 === 1 || s.length - end > 2) throw new FormatError(`${source}: the weight string has an invalid base64 length (${s.length} characters)`);
  const n = Math.floor((end * 3) / 4);
  const out = new Uint8Array(n);
  const T = BASE64_TABLE;
  // one pass: decode, and OR every table entry into `bad` (invalid characters map to 64)
  let bad = 0;
  let o = 0;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const a = T[s.charCodeAt(i) & 0xffff];
    const b = T[s.charCodeAt(i + 1) & 0xffff];
    const c = T[s.charCodeAt(i + 2) & 0xffff];
    const d = T[s.charCodeAt(i + 3) & 0xffff];
    bad |= a | b | c | d;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  const rest = end - i;
  if (rest >= 2) {
    const a = T[s.charCodeAt(i) & 0xffff];
    const b = T[s.charCodeAt(i + 1) & 0xffff];
    const c = rest === 3 ? T[s.charCodeAt(i + 2) & 0xffff] : 0;
    bad |= a | b | c;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >>> 16;
    if (rest === 3) out[o++] = (v >>> 8) & 255;
  }
  if (bad & 64) {
    let at = 0;
    while (at < end && T[s.charCodeAt(at) & 0xffff] < 64) at++;
    throw new FormatError(`${source}: the weight string is not base64 (character ${JSON.stringify(s[at])} at offset ${at})`);
  }
  return out;
}

/** char code -> 6-bit value; 64 for anything outside the standard alphabet (65536 entries). */
const BASE64_TABLE = (() => {
  const t = new Uint8Array(65536).fill(64);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let k = 0; k < 64; k++) t[alphabet.charCodeAt(k)] = k;
  return t;
})();

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const MAX_DEPTH = 200;
const IDENT_START = /[A-Za-z_$]/;
const IDENT = /[\w$]/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };

/** A parser for JavaScript data literals (a superset of JSON as minifiers write it). */
class LiteralParser {
  constructor(
    readonly text: string,
    public pos: number,
    readonly source: string,
  ) {}

  fail(what: string): never {
    const near = this.text.slice(this.pos, this.pos + 40);
    throw new FormatError(`${this.source}: malformed exported literal at offset ${this.pos}: ${what} (found ${near ? JSON.stringify(near) : 'the end of the file'})`);
  }

  skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else if (c === 47 && t[this.pos + 1] === '*') {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('unterminated comment');
        this.pos = end + 2;
      } else if (c === 47 && t[this.pos + 1] === '/') {
        const end = t.indexOf('\n', this.pos);
        this.pos = end < 0 ? t.length : end + 1;
      } else return;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.skipSpace();
    const t = this.text;
    const c = t[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"' || c === "'") return this.string();
    if (c === '!' && (t[this.pos + 1] === '0' || t[this.pos + 1] === '1') && !/[\w$.]/.test(t[this.pos + 2] ?? '')) {
      this.pos += 2;
      return t[this.pos - 1] === '0';
    }
    if (c !== undefined && /[-+.\d]/.test(c)) return this.number();
    const word = this.word();
    switch (word) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'Infinity':
        return Infinity;
      case 'NaN':
        return NaN;
      case 'void':
        this.skipSpace();
        if (this.word() !== '0') this.fail("expected 'void 0'");
        return undefined;
      default:
        return this.fail('expected a literal (object, array, string, number, true, false, !0, !1, null)');
    }
  }

  private word(): string {
    const start = this.pos;
    while (this.pos < this.text.length && IDENT.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private number(): number {
    const t = this.text;
    const m = /^[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|Infinity)/.exec(t.slice(this.pos, this.pos + 64));
    if (!m) this.fail('expected a number');
    this.pos += m[0].length;
    if (IDENT.test(t[this.pos] ?? '')) this.fail('expected a number');
    const s = m[0];
    const neg = s[0] === '-';
    const body = s.replace(/^[-+]/, '');
    const v = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : Number(body);
    return neg ? -v : v;
  }

  private string(): string {
    const t = this.text;
    const q = t[this.pos];
    const start = this.pos + 1;
    const end = t.indexOf(q, start);
    if (end < 0) this.fail('unterminated string');
    const slash = t.indexOf('\\', start);
    if (slash < 0 || slash > end) {
      // fast path (base64 shards are megabytes long and have no escapes)
      const s = t.slice(start, end);
      if (/[\n\r]/.test(s)) this.fail('line break inside a string');
      this.pos = end + 1;
      return s;
    }
    let out = '';
    let i = start;
    for (;;) {
      const c = t[i];
      if (c === undefined || c === '\n' || c === '\r') {
        this.pos = i;
        this.fail('unterminated string');
      }
      if (c === q) break;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = t[i + 1];
      i += 2;
      if (e === 'u') {
        const braced = t[i] === '{';
        const m = braced ? /^\{([0-9a-fA-F]{1,6})\}/.exec(t.slice(i, i + 8)) : /^[0-9a-fA-F]{4}/.exec(t.slice(i, i + 4));
        if (!m) {
          this.pos = i;
          this.fail('bad \\u escape');
        }
        const cp = parseInt(braced ? m[1] : m[0], 16);
        if (cp > 0x10ffff) {
          this.pos = i;
          this.fail('bad \\u escape');
        }
        out += String.fromCodePoint(cp);
        i += m[0].length;
      } else if (e === 'x') {
        const m = /^[0-9a-fA-F]{2}/.exec(t.slice(i, i + 2));
        if (!m) {
          this.pos = i;
          this.fail('bad \\x escape');
        }
        out += String.fromCharCode(parseInt(m[0], 16));
        i += 2;
      } else if (e === '\r' || e === '\n') {
        // line continuation
        if (e === '\r' && t[i] === '\n') i++;
      } else if (e === undefined) {
        this.pos = i;
        this.fail('unterminated string');
      } else out += ESCAPES[e] ?? e;
    }
    this.pos = i + 1;
    return out;
  }

  private key(): string {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return this.string();
    if (c !== undefined && /[\d.]/.test(c)) return String(this.number());
    if (c === undefined || !IDENT_START.test(c)) this.fail('expected a property name');
    return this.word();
  }

  private object(depth: number): Record<string, unknown> {
    this.pos++; // {
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const k = this.key();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after property name '${k}'`);
      this.pos++;
      const v = this.value(depth + 1);
      // defineProperty: a '__proto__' key is an ordinary property, as with JSON.parse
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const sep = this.text[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== '}') this.fail("expected ',' or '}' in an object");
    }
  }

  private array(depth: number): unknown[] {
    this.pos++; // [
    const out: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.skipSpace();
      const sep = this.text[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== ']') this.fail("expected ',' or ']' in an array");
    }
  }
}
