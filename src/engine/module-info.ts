/**
 * Engine layer: the facts about a guest module that the import policy, the instrumenter and the
 * loaded plugin need, read once from the binary (types, imports, function types, exports,
 * memories, tables, start function). Every entry of the sections read here is decoded, and a
 * section must end exactly where its entries end.
 */
import {
  type ExportEntry,
  type FuncType,
  type ImportEntry,
  type Limits,
  type RawSection,
  readExportSection,
  readFunctionSection,
  readImportSection,
  readMemorySection,
  readSections,
  readTableSection,
  readTypeSection,
  readVectorHeader,
  SECTION,
  type TableType,
  WasmFormatError,
} from './wasm-binary.js';

export interface ModuleInfo {
  readonly bytes: Uint8Array;
  readonly sections: readonly RawSection[];
  readonly types: readonly FuncType[];
  readonly imports: readonly ImportEntry[];
  /** Type index of every defined (non-imported) function, in index order. */
  readonly definedFunctionTypes: readonly number[];
  readonly exports: readonly ExportEntry[];
  readonly memories: readonly Limits[];
  readonly tables: readonly TableType[];
  readonly importedFunctionCount: number;
  readonly importedGlobalCount: number;
  readonly definedGlobalCount: number;
  readonly startFunction: number | undefined;
}

export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  const sections = readSections(bytes);
  let types: FuncType[] = [];
  let imports: ImportEntry[] = [];
  let definedFunctionTypes: number[] = [];
  let exports: ExportEntry[] = [];
  let memories: Limits[] = [];
  let tables: TableType[] = [];
  let definedGlobalCount = 0;
  let startFunction: number | undefined;
  let codeCount: number | undefined;
  const seen = new Set<number>();
  for (const section of sections) {
    if (section.id !== SECTION.custom) {
      if (seen.has(section.id)) throw new WasmFormatError(`duplicate section with id ${section.id}`);
      seen.add(section.id);
    }
    switch (section.id) {
      case SECTION.type:
        types = readTypeSection(bytes, section);
        break;
      case SECTION.import:
        imports = readImportSection(bytes, section);
        break;
      case SECTION.function:
        definedFunctionTypes = readFunctionSection(bytes, section);
        break;
      case SECTION.memory:
        memories = readMemorySection(bytes, section);
        break;
      case SECTION.table:
        tables = readTableSection(bytes, section);
        break;
      case SECTION.global:
        definedGlobalCount = readVectorHeader(bytes, section).count;
        break;
      case SECTION.export:
        exports = readExportSection(bytes, section);
        break;
      case SECTION.start:
        startFunction = readVectorHeader(bytes, section).count;
        break;
      case SECTION.code:
        codeCount = readVectorHeader(bytes, section).count;
        break;
      default:
        break;
    }
  }
  if ((codeCount ?? 0) !== definedFunctionTypes.length) {
    throw new WasmFormatError('function and code section have inconsistent lengths');
  }
  const importedTypes = imports.flatMap((i) => (i.typeIndex === undefined ? [] : [i.typeIndex]));
  for (const typeIndex of [...definedFunctionTypes, ...importedTypes]) {
    if (typeIndex >= types.length) throw new WasmFormatError(`type index ${typeIndex} out of bounds`);
  }
  const importedFunctionCount = imports.filter((i) => i.kind === 'function').length;
  const importedGlobalCount = imports.filter((i) => i.kind === 'global').length;
  return {
    bytes,
    sections,
    types,
    imports,
    definedFunctionTypes,
    exports,
    memories,
    tables,
    importedFunctionCount,
    importedGlobalCount,
    definedGlobalCount,
    startFunction,
  };
}

/** The type of function `index` (imported functions first, then defined ones). */
export function functionType(info: ModuleInfo, index: number): FuncType {
  let typeIndex: number | undefined;
  if (index < info.importedFunctionCount) {
    typeIndex = info.imports.filter((i) => i.kind === 'function')[index]?.typeIndex;
  } else {
    typeIndex = info.definedFunctionTypes[index - info.importedFunctionCount];
  }
  const type = typeIndex === undefined ? undefined : info.types[typeIndex];
  if (type === undefined) throw new WasmFormatError(`function index ${index} out of bounds`);
  return type;
}
