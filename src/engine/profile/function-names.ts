/**
 * Engine layer: function names for fuel profiles, from the module's `name` custom section
 * (subsection 1, the function names), Rust symbols demangled; `func[N]` for a function without
 * one. The name section is debug information: a malformed one is no reason to fail a call, so
 * reading stops at the first malformed entry and the names read until then are kept (wasmtime
 * likewise ignores a name section it cannot parse).
 */
import { ByteReader, readSections, SECTION, WasmFormatError } from '../wasm-binary.js';
import type { FunctionNamer } from './fuel-profile.js';
import { demangleRust } from './rust-demangle.js';

const FUNCTION_NAMES_SUBSECTION = 1;

/** A namer for the module's functions (demangled names are made once, on first use). */
export function functionNamer(bytes: Uint8Array): FunctionNamer {
  const raw = nameSectionFunctionNames(bytes);
  const readable = new Map<number, string>();
  return (index) => {
    let name = readable.get(index);
    if (name === undefined) {
      const found = raw.get(index);
      name = found === undefined || found === '' ? `func[${index}]` : demangleRust(found);
      readable.set(index, name);
    }
    return name;
  };
}

/** The function names of the first `name` section, as written (index → name). */
export function nameSectionFunctionNames(bytes: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  let section: { start: number; end: number } | undefined;
  for (const candidate of readSections(bytes)) {
    if (candidate.id !== SECTION.custom) continue;
    const reader = new ByteReader(bytes, candidate.start, candidate.end);
    if (reader.name() === 'name') {
      section = { start: reader.pos, end: candidate.end };
      break;
    }
  }
  if (section === undefined) return names;
  const reader = new ByteReader(bytes, section.start, section.end);
  try {
    while (!reader.done) {
      const id = reader.u8();
      const size = reader.u32();
      const end = reader.pos + size;
      if (end > section.end) return names;
      if (id === FUNCTION_NAMES_SUBSECTION) {
        const entries = new ByteReader(bytes, reader.pos, end);
        for (let count = entries.u32(); count > 0; count--) {
          const index = entries.u32();
          names.set(index, entries.name());
        }
        return names;
      }
      reader.pos = end;
    }
  } catch (error) {
    // a malformed entry (truncated, bad LEB, invalid UTF-8) ends the names: they are debug info
    if (!(error instanceof WasmFormatError)) throw error;
  }
  return names;
}
