import createPlugin, { type CallContext } from '@extism/extism';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { WatCompileError } from '../../src/wat/compile.js';
import { acceptJson } from '../../src/wat/json-builders.js';
import {
  body,
  fail,
  output,
  PER_BYTE_LIMIT,
  type PluginModuleSpec,
  pluginModule,
  pluginModuleWat,
  returnCode,
  spin,
  trap,
} from '../../src/wat/plugin-module.js';
import { customSections } from '../../src/wat/sections.js';
import { type WasmImports, wasmApi } from '../support/wasm-api.js';

const IDENTITY = 'cc_lb.plugin.v1';
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function extism(spec: PluginModuleSpec, functions?: Record<string, Record<string, unknown>>) {
  return createPlugin(
    { wasm: [{ data: pluginModule(spec) }] },
    {
      useWasi: false,
      runInWorker: false,
      ...(functions ? { functions: functions as never } : {}),
    },
  );
}

/**
 * A stand-in for the Extism kernel that records what the guest does, because the JS SDK ignores
 * return codes and hides how the output was written.
 */
function recordingHost(wasm: Uint8Array, input = new Uint8Array()) {
  const memory = new Uint8Array(1 << 20);
  const lengths = new Map<bigint, bigint>();
  let next = 16n;
  const record = {
    allocs: [] as bigint[],
    stores: 0,
    output: undefined as Uint8Array | undefined,
    error: undefined as string | undefined,
  };
  const block = (offset: bigint) =>
    memory.slice(Number(offset), Number(offset + (lengths.get(offset) ?? 0n)));
  const imports: WasmImports = {
    'extism:host/env': {
      alloc(length: bigint) {
        const offset = next;
        lengths.set(offset, length);
        next += length + 1n;
        record.allocs.push(length);
        return offset;
      },
      store_u8(offset: bigint, byte: number) {
        record.stores++;
        memory[Number(offset)] = byte;
      },
      output_set(offset: bigint, length: bigint) {
        record.output = memory.slice(Number(offset), Number(offset + length));
      },
      error_set(offset: bigint) {
        record.error = text(block(offset));
      },
      input_length: () => BigInt(input.length),
      input_load_u8: (i: bigint) => input[Number(i)] ?? 0,
    },
  };
  const instance = new wasmApi.Instance(new wasmApi.Module(wasm), imports);
  const call = (name: string) => (instance.exports[name] as () => number)();
  return { record, call, instance };
}

describe('pluginModule — the §0.4 recipe', () => {
  it('imports exactly alloc, store_u8, output_set from extism:host/env for output exports', () => {
    const module = new wasmApi.Module(pluginModule({ exports: { cc_lb_handshake: output(acceptJson()) } }));
    expect(wasmApi.Module.imports(module)).toEqual([
      { module: 'extism:host/env', name: 'alloc', kind: 'function' },
      { module: 'extism:host/env', name: 'store_u8', kind: 'function' },
      { module: 'extism:host/env', name: 'output_set', kind: 'function' },
    ]);
    expect(wasmApi.Module.exports(module)).toEqual([{ name: 'cc_lb_handshake', kind: 'function' }]);
  });

  it('adds error_set for fail, the input imports for body, and cc_lb_log for userHostImport', () => {
    const names = (spec: PluginModuleSpec) =>
      wasmApi.Module.imports(new wasmApi.Module(pluginModule(spec))).map((i) => `${i.module} ${i.name}`);
    expect(names({ exports: { f: fail('x') } })).toEqual([
      'extism:host/env alloc',
      'extism:host/env store_u8',
      'extism:host/env output_set',
      'extism:host/env error_set',
    ]);
    expect(names({ exports: { b: body('(i32.const 0)') } })).toEqual([
      'extism:host/env alloc',
      'extism:host/env store_u8',
      'extism:host/env output_set',
      'extism:host/env error_set',
      'extism:host/env input_length',
      'extism:host/env input_load_u8',
    ]);
    expect(names({ userHostImport: true, exports: { o: output('x') } })).toEqual([
      'extism:host/env alloc',
      'extism:host/env store_u8',
      'extism:host/env output_set',
      'extism:host/user cc_lb_log',
    ]);
  });

  it('gives every export the guest signature () -> i32 (wabt disassembly)', async () => {
    const wabt = await wabtInit();
    const wasm = pluginModule({
      exports: {
        a: output('x'),
        b: fail('m'),
        c: returnCode(3),
        d: trap(),
        e: spin(),
        f: body('(i32.const 0)'),
      },
    });
    const module = wabt.readWasm(wasm, { readDebugNames: false });
    const textForm = module.toText({});
    module.destroy();
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(textForm).toMatch(new RegExp(`\\(export "${name}" \\(func (\\d+)\\)\\)`));
    }
    const exportedTypes = [...textForm.matchAll(/\(func \(;(\d+);\) \(type (\d+)\)/g)];
    const typeOf = new Map(exportedTypes.map((m) => [m[1], m[2]]));
    const typeText = new Map(
      [...textForm.matchAll(/\(type \(;(\d+);\) \(func([^)]*\)?[^)]*)\)\)/g)].map((m) => [m[1], m[2]]),
    );
    for (const m of textForm.matchAll(/\(export "[a-f]" \(func (\d+)\)\)/g)) {
      expect(typeText.get(typeOf.get(m[1]!)!)?.trim()).toBe('(result i32)');
    }
  });

  it('writes a small output with one store_u8 per byte as constants, and returns 0', () => {
    const payload = acceptJson();
    const wasm = pluginModule({ exports: { cc_lb_handshake: output(payload) } });
    const host = recordingHost(wasm);
    expect(host.call('cc_lb_handshake')).toBe(0);
    expect(text(host.record.output!)).toBe(payload);
    expect(host.record.allocs).toEqual([BigInt(payload.length)]);
    expect(host.record.stores).toBe(payload.length);
    const source = pluginModuleWat({ exports: { cc_lb_handshake: output(payload) } });
    expect(source.match(/call \$store_u8/g)).toHaveLength(payload.length);
    expect(source).toContain(
      `(call $store_u8 (i64.add (local.get $offset) (i64.const 0)) (i32.const ${'{'.charCodeAt(0)}))`,
    );
    expect(source).not.toContain('(data');
  });

  it('keeps the per-byte recipe up to 4 KiB and switches to a data segment plus copy loop above', () => {
    expect(PER_BYTE_LIMIT).toBe(4096);
    const atLimit = pluginModuleWat({ exports: { o: output('a'.repeat(4096)) } });
    expect(atLimit.match(/call \$store_u8/g)).toHaveLength(4096);
    const above = pluginModuleWat({ exports: { o: output('a'.repeat(4097)) } });
    expect(above.match(/call \$store_u8/g)).toHaveLength(1);
    expect(above).toContain('(memory (export "memory") 1)');
    expect(above).toContain(`(data (i32.const 0) "${'a'.repeat(4097)}")`);
  });

  it('returns a 32 769-byte output exactly through the Extism SDK, still one store_u8 per byte', async () => {
    const big = `"${'x'.repeat(32_767)}"`;
    const other = 'é'.repeat(3000); // 6000 bytes: a second segment after the first
    const plugin = await extism({ exports: { cc_lb_handshake: output(big), second: output(other) } });
    try {
      expect((await plugin.call('cc_lb_handshake', ''))?.text()).toBe(big);
      expect((await plugin.call('second', ''))?.text()).toBe(other);
    } finally {
      await plugin.close();
    }
    const host = recordingHost(pluginModule({ exports: { o: output(big) } }));
    expect(host.call('o')).toBe(0);
    expect(host.record.stores).toBe(32_769);
    expect(text(host.record.output!)).toBe(big);
  });

  it('emits a string verbatim, other values as JSON (bigints exact), and bytes as given', async () => {
    const plugin = await extism({
      exports: {
        str: output('{"not": "re-encoded"}'),
        obj: output({ status: 'success', failures: [], completed_at: 18_446_744_073_709_551_615n }),
        arr: output([1, 'two', null]),
        raw: output(Uint8Array.of(0x61, 0xff, 0x00)),
        empty: output(''),
      },
    });
    try {
      expect((await plugin.call('str', ''))?.text()).toBe('{"not": "re-encoded"}');
      expect((await plugin.call('obj', ''))?.text()).toBe(
        '{"status":"success","failures":[],"completed_at":18446744073709551615}',
      );
      expect((await plugin.call('arr', ''))?.text()).toBe('[1,"two",null]');
      expect((await plugin.call('raw', ''))?.bytes()).toEqual(Uint8Array.of(0x61, 0xff, 0x00));
      expect((await plugin.call('empty', ''))?.text() ?? '').toBe('');
    } finally {
      await plugin.close();
    }
  });

  it('output() refuses a value JSON cannot write', () => {
    expect(() => output(undefined)).toThrow(new TypeError('cannot write undefined as JSON'));
  });
});

describe('fail, returnCode, trap, spin', () => {
  it('fail stores the message, calls error_set and returns 1', async () => {
    const host = recordingHost(pluginModule({ exports: { cc_lb_handshake: fail('offer rejected: é') } }));
    expect(host.call('cc_lb_handshake')).toBe(1);
    expect(host.record.error).toBe('offer rejected: é');
    expect(host.record.output).toBeUndefined();
    const plugin = await extism({ exports: { cc_lb_handshake: fail('offer rejected') } });
    try {
      await expect(plugin.call('cc_lb_handshake', '')).rejects.toThrow(
        'Plugin-originated error: offer rejected',
      );
    } finally {
      await plugin.close();
    }
  });

  it('returnCode returns the code and sets no output', async () => {
    const wasm = pluginModule({
      exports: { seven: returnCode(7), minus: returnCode(-1), high: returnCode(2 ** 32 - 1) },
    });
    const host = recordingHost(wasm);
    expect(host.call('seven')).toBe(7);
    expect(host.call('minus')).toBe(-1);
    expect(host.call('high')).toBe(-1);
    expect(host.record).toMatchObject({ allocs: [], stores: 0, output: undefined, error: undefined });
    const plugin = await extism({ exports: { seven: returnCode(7) } });
    try {
      expect(await plugin.call('seven', '')).toBeNull();
    } finally {
      await plugin.close();
    }
  });

  it('returnCode rejects values that are not 32-bit integers', () => {
    expect(() => returnCode(1.5)).toThrow(
      new RangeError('returnCode expects a 32-bit integer, received 1.5'),
    );
    expect(() => returnCode(2 ** 32)).toThrow('received 4294967296');
    expect(() => returnCode(-(2 ** 31) - 1)).toThrow('received -2147483649');
  });

  it('trap executes unreachable', async () => {
    const host = recordingHost(pluginModule({ exports: { t: trap() } }));
    expect(() => host.call('t')).toThrow('unreachable');
    const plugin = await extism({ exports: { t: trap() } });
    try {
      await expect(plugin.call('t', '')).rejects.toThrow('unreachable');
    } finally {
      await plugin.close();
    }
  });

  it('spin is an unconditional loop with no exit (checked in the disassembly, since running it never ends)', async () => {
    const wabt = await wabtInit();
    const module = wabt.readWasm(pluginModule({ identity: false, exports: { s: spin() } }), {
      readDebugNames: false,
    });
    const textForm = module.toText({});
    module.destroy();
    expect(textForm.replace(/\s+/g, ' ')).toContain(
      '(func (;3;) (type 3) (result i32) loop ;; label = @1 br 0 (;@1;) end i32.const 0)',
    );
  });
});

describe('body', () => {
  const echo = body(`(local $n i64) (local $i i64) (local $out i64)
    (local.set $n (call $input_length))
    (local.set $out (call $alloc (local.get $n)))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (call $store_u8 (i64.add (local.get $out) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (call $output_set (local.get $out) (local.get $n))
    (i32.const 0)`);

  it('runs the given instructions with the documented helper names in scope', async () => {
    const plugin = await extism({
      exports: { echo, refuse: body('(call $error_set (call $alloc (i64.const 0))) (i32.const 5)') },
    });
    try {
      expect((await plugin.call('echo', 'hello, wasm'))?.text()).toBe('hello, wasm');
    } finally {
      await plugin.close();
    }
    const host = recordingHost(pluginModule({ exports: { refuse: body('(i32.const 5)') } }));
    expect(host.call('refuse')).toBe(5);
  });

  it('reports a broken body with the generated file, line, column and a caret', () => {
    let error: unknown;
    try {
      pluginModule({ exports: { bad: body('(i32.const 0) (call $nope)') } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WatCompileError);
    const compileError = error as WatCompileError;
    expect(compileError.filename).toBe('pluginModule.wat');
    const source = pluginModuleWat({ exports: { bad: body('(i32.const 0) (call $nope)') } });
    const lineIndex = source.split('\n').findIndex((l) => l.includes('$nope'));
    expect(compileError.line).toBe(lineIndex + 1);
    expect(compileError.column).toBe(21);
    expect(compileError.message).toBe(
      `pluginModule.wat:${lineIndex + 1}:21: undefined function variable "$nope"\n  (i32.const 0) (call $nope)\n                      ^`,
    );
  });
});

describe('identity, userHostImport, memory, export names', () => {
  it('stamps a valid identity by default, a merged partial one, a raw string, or none', () => {
    const sections = (spec: PluginModuleSpec) => customSections(pluginModule(spec), IDENTITY).map(text);
    expect(sections({})).toEqual([
      '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"test-plugin","plugin_version":"1.0.0"}',
    ]);
    expect(sections({ identity: { plugin_name: 'shape-a', plugin_version: '' } })).toEqual([
      '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"shape-a","plugin_version":""}',
    ]);
    expect(sections({ identity: '{"magic":' })).toEqual(['{"magic":']);
    expect(sections({ identity: false })).toEqual([]);
  });

  it('appends the identity section last, after the code', () => {
    const wasm = pluginModule({ exports: { o: output('x') } });
    const withoutIdentity = pluginModule({ identity: false, exports: { o: output('x') } });
    expect(wasm.subarray(0, withoutIdentity.length)).toEqual(withoutIdentity);
    expect(wasm.length).toBeGreaterThan(withoutIdentity.length);
  });

  it('userHostImport: instantiation fails without the user host function (as in handshake)', async () => {
    await expect(extism({ userHostImport: true, exports: { o: output('x') } })).rejects.toThrow(
      'cannot resolve import "extism:host/user" "cc_lb_log"',
    );
  });

  it('userHostImport: calls cc_lb_log with two byte strings before output_set', async () => {
    const logged: string[] = [];
    const plugin = await extism(
      { userHostImport: true, exports: { cc_lb_handshake: output('{"k":1}') } },
      {
        'extism:host/user': {
          cc_lb_log(context: CallContext, level: bigint, message: bigint) {
            logged.push(`${context.read(level)?.text()}|${context.read(message)?.text()}`);
          },
        },
      },
    );
    try {
      expect((await plugin.call('cc_lb_handshake', ''))?.text()).toBe('{"k":1}');
      expect(logged).toEqual(['{"k":1}|{"k":1}']);
    } finally {
      await plugin.close();
    }
  });

  it('memory: declares and exports that many pages; absent when neither asked for nor needed', () => {
    const host = recordingHost(pluginModule({ memory: 3, exports: { r: returnCode(0) } }));
    const memory = host.instance.exports.memory as { buffer: ArrayBuffer };
    expect(memory.buffer.byteLength).toBe(3 * 65_536);
    const plain = new wasmApi.Module(pluginModule({ exports: { r: returnCode(0) } }));
    expect(wasmApi.Module.exports(plain)).toEqual([{ name: 'r', kind: 'function' }]);
    expect(() => pluginModule({ memory: -1 })).toThrow(
      new RangeError('memory expects a page count from 0 to 65536, received -1'),
    );
  });

  it('escapes export names that need it', () => {
    const names = ['a"b', 'back\\slash', 'é', 'sp ace'];
    const wasm = pluginModule({ exports: Object.fromEntries(names.map((n) => [n, returnCode(0)])) });
    expect(wasmApi.Module.exports(new wasmApi.Module(wasm)).map((e) => e.name)).toEqual(names);
  });

  it('an empty spec is a valid module holding only the identity', () => {
    const wasm = pluginModule();
    expect(wasmApi.validate(wasm)).toBe(true);
    expect(wasmApi.Module.exports(new wasmApi.Module(wasm))).toEqual([]);
  });
});
