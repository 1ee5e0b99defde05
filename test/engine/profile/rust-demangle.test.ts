/**
 * Rust demangling against real symbols: `test/fixtures/rust-symbols/symbols.json` holds every
 * symbol rustc 1.95 emitted for `lib.rs` beside it, once with `-C symbol-mangling-version=v0` and
 * once with the default (legacy) mangling, each with the name an independent demangler printed
 * (LLVM's `llvm-cxxfilt` for v0, GNU `c++filt` for legacy with its `::h…` hash dropped). Where the
 * tools escape a non-ASCII name we expect the character itself, as rustc-demangle prints it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demangleRust } from '../../../src/engine/profile/rust-demangle.js';

const symbols = JSON.parse(
  readFileSync(new URL('../../fixtures/rust-symbols/symbols.json', import.meta.url), 'utf8'),
) as { v0: [string, string][]; legacy: [string, string][] };

describe('demangleRust', () => {
  it('demangles every real v0 symbol as llvm-cxxfilt does', () => {
    expect(symbols.v0.length).toBeGreaterThan(150);
    const wrong = symbols.v0.filter(([mangled, expected]) => demangleRust(mangled) !== expected);
    expect(wrong).toEqual([]);
  });

  it('demangles every real legacy symbol as c++filt does, without the hash', () => {
    expect(symbols.legacy.length).toBeGreaterThan(100);
    const wrong = symbols.legacy.filter(([mangled, expected]) => demangleRust(mangled) !== expected);
    expect(wrong).toEqual([]);
  });

  it.each([
    // generics, a closure, a trait impl, a shim
    ['_RINvCsh537bOAIRKx_3lib13generic_tuplehReEB2_', 'lib::generic_tuple::<u8, &str>'],
    ['_RNCNvCsh537bOAIRKx_3lib7use_alls0_0B3_', 'lib::use_all::{closure#2}'],
    ['_RNvYjNtNtCsgEmfK2I1SDS_4core3cmp3Ord3minCsh537bOAIRKx_3lib', '<usize as core::cmp::Ord>::min'],
    // const generics: bool, negative, wider than 64 bits, char
    ['_RINvCsh537bOAIRKx_3lib3oneINtB2_5SmallKan80_EEB2_', 'lib::one::<lib::Small<-128>>'],
    ['_RNvCsh537bOAIRKx_3libu6ldr85b', 'lib::名前'],
    // fn pointers with a binder, unsafe extern, dyn with an associated type binding
    ['_RINvCsh537bOAIRKx_3lib3oneFG_RL0_eERL0_eEB2_', "lib::one::<for<'a> fn(&'a str) -> &'a str>"],
    ['_RINvCsh537bOAIRKx_3lib3oneFUKClElEB2_', 'lib::one::<unsafe extern "C" fn(i32) -> i32>'],
    // legacy: escapes, the hash dropped, an LLVM LTO suffix dropped
    ['_ZN4core3fmt5write17h1234567890abcdefE', 'core::fmt::write'],
    ['_ZN4core3fmt5write17h1234567890abcdefE.llvm.9876ABCD', 'core::fmt::write'],
    [
      '_ZN70_$LT$alloc..vec..Vec$LT$T$C$A$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h0123456789abcdefE',
      '<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop',
    ],
    // what wasm-ld writes after demangling legacy symbols itself: the hash is still on
    ['core::fmt::write::h1234567890abcdef', 'core::fmt::write'],
  ])('%s → %s', (mangled, expected) => {
    expect(demangleRust(mangled)).toBe(expected);
  });

  it.each([
    'main',
    'func_17',
    '__wasm_call_ctors',
    '_Z3fooi', // C++: not Rust, left as it is
    '_ZN3foo', // truncated legacy
    '_ZN3foo3bar$XX$E', // unknown escape
    '_RNvC3foo', // truncated v0
    '_RB_', // a backreference that points at itself
    '_R0NvC3foo3bar', // an encoding version this grammar does not know
    'h1234567890abcdef',
  ])('leaves %s unchanged', (name) => {
    expect(demangleRust(name)).toBe(name);
  });

  it('stays bounded on a hostile symbol (deep nesting, exponential backreferences)', () => {
    const deep = `_R${'INv'.repeat(5000)}C3foo`;
    expect(demangleRust(deep)).toBe(deep);
    // each generic argument refers back to the previous one twice: a valid symbol that expands
    // exponentially (checked on a small one first)
    expect(demangleRust(backrefChain(3))).toBe('foo::bar::<(u8, u8), (u8, u8), ((u8, u8), (u8, u8))>');
    const exploding = backrefChain(40);
    expect(demangleRust(exploding)).toBe(exploding);
  });
});

function backrefChain(levels: number): string {
  let symbol = '_RINvC3foo3barT';
  const starts: number[] = [];
  for (let i = 0; i < levels; i++) {
    starts.push(symbol.length - 2);
    const previous = base62(starts[i - 1] ?? 0);
    symbol += i === 0 ? 'hhE' : `TB${previous}B${previous}E`;
  }
  return `${symbol}E`;
}

function base62(value: number): string {
  if (value === 0) return '_';
  const digits = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let n = value - 1;
  let out = '';
  do {
    out = digits[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return `${out}_`;
}
