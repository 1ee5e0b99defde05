/**
 * Test support: Node's global WebAssembly JS API, typed. The project compiles with `lib: ES2023`
 * and Node types only, neither of which declares the `WebAssembly` value, so tests reach it
 * through this narrow, typed view instead of sprinkling casts.
 */

export interface WasmModuleObject {
  readonly __wasmModule: unique symbol;
}
export interface WasmInstanceObject {
  readonly exports: Record<string, unknown>;
}
export interface WasmExportDescriptor {
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}
export interface WasmImportDescriptor extends WasmExportDescriptor {
  readonly module: string;
}
export type WasmImports = Record<string, Record<string, unknown>>;

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: {
    new (bytes: Uint8Array): WasmModuleObject;
    exports(module: WasmModuleObject): WasmExportDescriptor[];
    imports(module: WasmModuleObject): WasmImportDescriptor[];
  };
  Instance: new (module: WasmModuleObject, imports: WasmImports) => WasmInstanceObject;
}

export const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
