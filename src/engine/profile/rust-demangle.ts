/**
 * Engine layer: Rust symbol demangling, so a fuel profile of a Rust plugin shows
 * `<alloc::vec::Vec<u8>>::push` rather than the mangled symbol of its name section.
 *
 * Two schemes, written from their published grammars:
 * - **legacy** (`_ZN…E`, also `ZN…E` and `__ZN…E`): length-prefixed path components with `$…$`
 *   escapes (`$LT$` `<`, `$u20$` a space, `..` `::`) and a final `h` + 16 hex digits hash;
 * - **v0** (`_R…`, RFC 2603 and the rustc book's "v0 Symbol Format"): paths, generic arguments,
 *   types, constants, binders, base-62 backreferences and punycode identifiers.
 *
 * The output is the short form Rust's own tools print for people (`rustc-demangle`'s `{:#}`):
 * no hash, no crate disambiguators, no integer-type suffixes on constants. wasm-ld writes names
 * it already demangled with the hash still on (`core::fmt::write::h0123456789abcdef`); that hash
 * is dropped too. Anything that does not parse comes back unchanged: demangling only ever makes a
 * name more readable, never wrong.
 */

/** A readable name for a function-name-section entry: Rust symbols demangled, hashes dropped. */
export function demangleRust(name: string): string {
  const symbol = withoutLlvmSuffix(name);
  if (symbol.startsWith('_R')) return demangleV0(symbol) ?? name;
  const legacyStart = symbol.startsWith('_ZN')
    ? 3
    : symbol.startsWith('ZN')
      ? 2
      : symbol.startsWith('__ZN')
        ? 4
        : -1;
  if (legacyStart >= 0) return demangleLegacy(symbol, legacyStart) ?? name;
  return name.replace(DEMANGLED_HASH_SUFFIX, '');
}

/** `::h` + 16 hex digits at the end of a name a linker already demangled. */
const DEMANGLED_HASH_SUFFIX = /(?<=.)::h[0-9a-f]{16}$/;

/** LLVM appends `.llvm.<hex>` to symbols it renamed during LTO; it is not part of the Rust name. */
function withoutLlvmSuffix(name: string): string {
  const at = name.indexOf('.llvm.');
  if (at < 0) return name;
  return /^[0-9A-F@]+$/.test(name.slice(at + 6)) ? name.slice(0, at) : name;
}

// ---------------------------------------------------------------------------------------------
// legacy

const LEGACY_ESCAPES: Readonly<Record<string, string>> = {
  SP: '@',
  BP: '*',
  RF: '&',
  LT: '<',
  GT: '>',
  LP: '(',
  RP: ')',
  C: ',',
};

function demangleLegacy(symbol: string, start: number): string | undefined {
  const components: string[] = [];
  let pos = start;
  while (pos < symbol.length && symbol[pos] !== 'E') {
    const digits = /^[1-9][0-9]*/.exec(symbol.slice(pos, pos + 10));
    if (digits === null) return undefined;
    const length = Number(digits[0]);
    pos += digits[0].length;
    if (pos + length > symbol.length) return undefined;
    components.push(symbol.slice(pos, pos + length));
    pos += length;
  }
  if (symbol[pos] !== 'E' || components.length === 0) return undefined;
  const rest = symbol.slice(pos + 1);
  if (rest !== '' && !rest.startsWith('.')) return undefined;
  const last = components[components.length - 1] as string;
  if (components.length > 1 && /^h[0-9a-f]{16}$/.test(last)) components.pop();
  const decoded: string[] = [];
  for (const component of components) {
    const text = decodeLegacyComponent(component);
    if (text === undefined) return undefined;
    decoded.push(text);
  }
  return decoded.join('::') + rest;
}

function decodeLegacyComponent(component: string): string | undefined {
  let text = component.startsWith('_$') ? component.slice(1) : component;
  let out = '';
  while (text.length > 0) {
    if (text.startsWith('..')) {
      out += '::';
      text = text.slice(2);
    } else if (text[0] === '$') {
      const end = text.indexOf('$', 1);
      if (end < 0) return undefined;
      const code = text.slice(1, end);
      const known = LEGACY_ESCAPES[code];
      if (known !== undefined) {
        out += known;
      } else if (/^u[0-9a-f]{1,6}$/.test(code)) {
        const point = Number.parseInt(code.slice(1), 16);
        if (point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return undefined;
        out += String.fromCodePoint(point);
      } else {
        return undefined;
      }
      text = text.slice(end + 1);
    } else {
      out += text[0];
      text = text.slice(1);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// v0

class V0Invalid extends Error {
  override readonly name = 'V0Invalid';
}

/** Basic types, by their one-letter tag. */
const BASIC_TYPES: Readonly<Record<string, string>> = {
  a: 'i8',
  b: 'bool',
  c: 'char',
  d: 'f64',
  e: 'str',
  f: 'f32',
  h: 'u8',
  i: 'isize',
  j: 'usize',
  l: 'i32',
  m: 'u32',
  n: 'i128',
  o: 'u128',
  s: 'i16',
  t: 'u16',
  u: '()',
  v: '...',
  x: 'i64',
  y: 'u64',
  z: '!',
  p: '_',
};
const SIGNED_INTEGER_TAGS = 'aslxni';
const UNSIGNED_INTEGER_TAGS = 'htmyoj';

/**
 * Bounds on work and nesting: backreferences can make a short symbol expand exponentially, and a
 * hostile name section must not stall a profile. A symbol past either bound stays mangled.
 */
const MAX_V0_STEPS = 20_000;
const MAX_V0_DEPTH = 256;
const MAX_V0_OUTPUT = 8192;

function demangleV0(symbol: string): string | undefined {
  const parser = new V0Parser(symbol.slice(2));
  try {
    return parser.symbol();
  } catch (error) {
    if (error instanceof V0Invalid) return undefined; // not a v0 symbol after all: keep the name
    throw error;
  }
}

/** A recursive-descent parser over the symbol after `_R`; each rule returns what it prints. */
class V0Parser {
  private pos = 0;
  private steps = 0;
  private depth = 0;
  /** lifetimes bound by the enclosing `for<…>` binders */
  private boundLifetimes = 0;

  constructor(private readonly sym: string) {}

  symbol(): string {
    if (this.isDigit(this.peek())) throw new V0Invalid('unknown encoding version');
    const path = this.path(true);
    // the instantiating crate, when present, is not printed
    if (this.pos < this.sym.length && /[A-Z]/.test(this.peek())) this.path(false);
    const rest = this.sym.slice(this.pos);
    if (rest !== '' && !rest.startsWith('.') && !rest.startsWith('$')) throw new V0Invalid('trailing bytes');
    if (path.length > MAX_V0_OUTPUT) throw new V0Invalid('too long');
    return path + (rest.startsWith('.') ? rest : '');
  }

  private peek(): string {
    return this.sym[this.pos] ?? '';
  }

  private next(): string {
    const c = this.sym[this.pos];
    if (c === undefined) throw new V0Invalid('unexpected end');
    this.pos++;
    return c;
  }

  private eat(c: string): boolean {
    if (this.sym[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private isDigit(c: string): boolean {
    return c >= '0' && c <= '9';
  }

  /** Runs `rule` one nesting level deeper, within the step and depth bounds. */
  private nested<T>(rule: () => T): T {
    if (++this.steps > MAX_V0_STEPS || ++this.depth > MAX_V0_DEPTH) throw new V0Invalid('too complex');
    try {
      return rule();
    } finally {
      this.depth--;
    }
  }

  /** Parses at a backreference's target, then continues after the reference. */
  private backref<T>(rule: () => T): T {
    const tagAt = this.pos - 1;
    const target = this.base62();
    if (target >= tagAt) throw new V0Invalid('forward backreference');
    const resume = this.pos;
    this.pos = target;
    try {
      return this.nested(rule);
    } finally {
      this.pos = resume;
    }
  }

  /** `{0-9a-zA-Z} "_"`: `_` is 0, otherwise the digits' value plus one. */
  private base62(): number {
    if (this.eat('_')) return 0;
    let value = 0;
    for (;;) {
      const c = this.next();
      if (c === '_') return value + 1;
      const digit = this.isDigit(c)
        ? c.charCodeAt(0) - 48
        : c >= 'a' && c <= 'z'
          ? c.charCodeAt(0) - 87
          : c >= 'A' && c <= 'Z'
            ? c.charCodeAt(0) - 29
            : -1;
      if (digit < 0) throw new V0Invalid('bad base-62 digit');
      // Crate disambiguators are 64-bit hashes and lose precision here; they are never printed,
      // and a backreference or lifetime that large fails its own range check.
      value = value * 62 + digit;
    }
  }

  /** `tag <base-62-number>` when the tag is there (its value plus one), else 0. */
  private optBase62(tag: string): number {
    return this.eat(tag) ? this.base62() + 1 : 0;
  }

  private decimal(): number {
    const start = this.pos;
    if (this.eat('0')) return 0;
    while (this.isDigit(this.peek())) this.pos++;
    if (this.pos === start) throw new V0Invalid('expected a decimal number');
    const value = Number(this.sym.slice(start, this.pos));
    if (!Number.isSafeInteger(value)) throw new V0Invalid('decimal overflow');
    return value;
  }

  /** `["u"] <decimal-number> ["_"] <bytes>`: the name, punycode decoded. */
  private undisambiguatedIdentifier(): string {
    const punycode = this.eat('u');
    const length = this.decimal();
    this.eat('_');
    const bytes = this.sym.slice(this.pos, this.pos + length);
    if (bytes.length !== length) throw new V0Invalid('identifier overruns the symbol');
    this.pos += length;
    return punycode ? decodeRustPunycode(bytes) : bytes;
  }

  private identifier(): { name: string; disambiguator: number } {
    const disambiguator = this.optBase62('s');
    return { name: this.undisambiguatedIdentifier(), disambiguator };
  }

  private path(inValue: boolean): string {
    return this.nested(() => {
      const tag = this.next();
      switch (tag) {
        case 'C':
          return this.identifier().name;
        case 'N': {
          const ns = this.next();
          if (!/[a-zA-Z]/.test(ns)) throw new V0Invalid('bad namespace');
          const prefix = this.path(inValue);
          const { name, disambiguator } = this.identifier();
          if (ns >= 'a' && ns <= 'z') return name === '' ? prefix : `${prefix}::${name}`;
          const kind = ns === 'C' ? 'closure' : ns === 'S' ? 'shim' : ns;
          return `${prefix}::{${kind}${name === '' ? '' : `:${name}`}#${disambiguator}}`;
        }
        case 'M':
          this.implPath();
          return `<${this.type()}>`;
        case 'X': {
          this.implPath();
          const self = this.type();
          return `<${self} as ${this.path(false)}>`;
        }
        case 'Y': {
          const self = this.type();
          return `<${self} as ${this.path(false)}>`;
        }
        case 'I': {
          const prefix = this.path(inValue);
          return `${prefix}${inValue ? '::' : ''}<${this.genericArgs().join(', ')}>`;
        }
        case 'B':
          return this.backref(() => this.path(inValue));
        default:
          throw new V0Invalid(`bad path tag ${tag}`);
      }
    });
  }

  /** The path of an impl block: where it is, which the printed name leaves out. */
  private implPath(): void {
    this.optBase62('s');
    this.path(false);
  }

  /** Generic arguments up to and including the closing `E`. */
  private genericArgs(): string[] {
    const args: string[] = [];
    while (!this.eat('E')) args.push(this.genericArg());
    return args;
  }

  private genericArg(): string {
    if (this.eat('L')) return this.lifetime(this.base62());
    if (this.eat('K')) return this.constant();
    return this.type();
  }

  private lifetime(index: number): string {
    if (index === 0) return "'_";
    const depth = this.boundLifetimes - index;
    if (depth < 0) throw new V0Invalid('unbound lifetime');
    return depth < 26 ? `'${String.fromCharCode(97 + depth)}` : `'_${depth}`;
  }

  /** `[G <base-62-number>]`: introduces that many lifetimes (plus one) for `rule`. */
  private binder(rule: (prefix: string) => string): string {
    const count = this.optBase62('G');
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      this.boundLifetimes++;
      names.push(this.lifetime(1));
    }
    try {
      return rule(count > 0 ? `for<${names.join(', ')}> ` : '');
    } finally {
      this.boundLifetimes -= count;
    }
  }

  private type(): string {
    return this.nested(() => {
      const tag = this.peek();
      const basic = BASIC_TYPES[tag];
      if (basic !== undefined) {
        this.pos++;
        return basic;
      }
      switch (tag) {
        case 'R':
        case 'Q': {
          this.pos++;
          let out = tag === 'R' ? '&' : '&mut ';
          if (this.eat('L')) {
            const index = this.base62();
            if (index !== 0) out += `${this.lifetime(index)} `;
          }
          return out + this.type();
        }
        case 'P':
          this.pos++;
          return `*const ${this.type()}`;
        case 'O':
          this.pos++;
          return `*mut ${this.type()}`;
        case 'A': {
          this.pos++;
          const element = this.type();
          return `[${element}; ${this.constant()}]`;
        }
        case 'S':
          this.pos++;
          return `[${this.type()}]`;
        case 'T': {
          this.pos++;
          const elements: string[] = [];
          while (!this.eat('E')) elements.push(this.type());
          return `(${elements.join(', ')}${elements.length === 1 ? ',' : ''})`;
        }
        case 'F':
          this.pos++;
          return this.binder((prefix) => prefix + this.fnSig());
        case 'D': {
          this.pos++;
          const bounds = this.binder((prefix) => {
            const traits: string[] = [];
            while (!this.eat('E')) traits.push(this.dynTrait());
            return `${prefix}dyn ${traits.join(' + ')}`;
          });
          if (!this.eat('L')) throw new V0Invalid('dyn type without a lifetime');
          const index = this.base62();
          return index === 0 ? bounds : `${bounds} + ${this.lifetime(index)}`;
        }
        case 'B':
          this.pos++;
          return this.backref(() => this.type());
        default:
          return this.path(false);
      }
    });
  }

  private fnSig(): string {
    let out = '';
    if (this.eat('U')) out += 'unsafe ';
    if (this.eat('K')) {
      const abi = this.eat('C') ? 'C' : this.undisambiguatedIdentifier().replaceAll('_', '-');
      out += `extern "${abi}" `;
    }
    const params: string[] = [];
    while (!this.eat('E')) params.push(this.type());
    out += `fn(${params.join(', ')})`;
    if (this.eat('u')) return out;
    return `${out} -> ${this.type()}`;
  }

  /** A trait of a `dyn` type, with its associated-type bindings inside the generic brackets. */
  private dynTrait(): string {
    let { text, open } = this.pathMaybeOpenGenerics();
    while (this.eat('p')) {
      text += open ? ', ' : '<';
      open = true;
      const name = this.undisambiguatedIdentifier();
      text += `${name} = ${this.type()}`;
    }
    return open ? `${text}>` : text;
  }

  private pathMaybeOpenGenerics(): { text: string; open: boolean } {
    if (this.eat('B')) return this.backref(() => this.pathMaybeOpenGenerics());
    if (this.eat('I')) {
      const prefix = this.path(false);
      return { text: `${prefix}<${this.genericArgs().join(', ')}`, open: true };
    }
    return { text: this.path(false), open: false };
  }

  private constant(): string {
    return this.nested(() => {
      const tag = this.next();
      if (tag === 'p') return '_';
      if (tag === 'B') return this.backref(() => this.constant());
      if (SIGNED_INTEGER_TAGS.includes(tag) || UNSIGNED_INTEGER_TAGS.includes(tag)) {
        const negative = SIGNED_INTEGER_TAGS.includes(tag) && this.eat('n');
        return (negative ? '-' : '') + this.unsignedConstant();
      }
      if (tag === 'b') {
        const value = this.hexNibbles();
        if (value === '0') return 'false';
        if (value === '1') return 'true';
        throw new V0Invalid('bad bool constant');
      }
      if (tag === 'c') {
        const code = Number.parseInt(this.hexNibbles(), 16);
        if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new V0Invalid('bad char');
        return charLiteral(code);
      }
      throw new V0Invalid(`unsupported constant of type ${tag}`);
    });
  }

  /** Up to 64 bits in decimal, wider values as `0x…`, as Rust's demangler prints them. */
  private unsignedConstant(): string {
    const nibbles = this.hexNibbles();
    const significant = nibbles.replace(/^0+(?=.)/, '');
    return significant.length > 16 ? `0x${nibbles}` : BigInt(`0x${significant}`).toString();
  }

  private hexNibbles(): string {
    const start = this.pos;
    while (/[0-9a-f]/.test(this.peek())) this.pos++;
    const nibbles = this.sym.slice(start, this.pos);
    if (!this.eat('_')) throw new V0Invalid('unterminated constant');
    return nibbles === '' ? '0' : nibbles;
  }
}

/** A char constant as a Rust char literal (escaped as `char::escape_debug` would). */
function charLiteral(code: number): string {
  switch (code) {
    case 0x09:
      return "'\\t'";
    case 0x0a:
      return "'\\n'";
    case 0x0d:
      return "'\\r'";
    case 0x27:
      return "'\\''";
    case 0x5c:
      return "'\\\\'";
  }
  const printable = code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0);
  return printable ? `'${String.fromCodePoint(code)}'` : `'\\u{${code.toString(16)}}'`;
}

/**
 * Rust's punycode: RFC 3492 bootstring with the usual parameters, `_` instead of `-` as the
 * delimiter between the basic code points and the encoded deltas.
 */
function decodeRustPunycode(encoded: string): string {
  const split = encoded.lastIndexOf('_');
  const output = split < 0 ? [] : [...encoded.slice(0, split)].map((c) => c.codePointAt(0) as number);
  const deltas = split < 0 ? encoded : encoded.slice(split + 1);
  if (deltas === '') throw new V0Invalid('empty punycode');
  const [base, tMin, tMax, skew, damp] = [36, 1, 26, 38, 700];
  let n = 128;
  let bias = 72;
  let i = 0;
  let pos = 0;
  let first = true;
  while (pos < deltas.length) {
    const oldI = i;
    let weight = 1;
    for (let k = base; ; k += base) {
      const c = deltas[pos++];
      if (c === undefined) throw new V0Invalid('truncated punycode');
      const digit =
        c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 97 : c >= '0' && c <= '9' ? c.charCodeAt(0) - 22 : -1;
      if (digit < 0) throw new V0Invalid('bad punycode digit');
      i += digit * weight;
      const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
      if (digit < t) break;
      weight *= base - t;
      if (i > 0x7fffffff || weight > 0x7fffffff) throw new V0Invalid('punycode overflow');
    }
    const length = output.length + 1;
    let delta = first ? Math.floor((i - oldI) / damp) : Math.floor((i - oldI) / 2);
    first = false;
    delta += Math.floor(delta / length);
    let k = 0;
    while (delta > ((base - tMin) * tMax) >> 1) {
      delta = Math.floor(delta / (base - tMin));
      k += base;
    }
    bias = k + Math.floor(((base - tMin + 1) * delta) / (delta + skew));
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff) throw new V0Invalid('punycode out of range');
    output.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...output);
}
