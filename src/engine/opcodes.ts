/**
 * Engine layer: the names of the WebAssembly operators the engine reads or writes in function
 * bodies and constant expressions (the instrumenter and its profiling variant), by their text
 * format names, so no rewriter spells an opcode as a number. Ranges are named by their first and
 * last operator.
 */

/** Single-byte operators, and the prefixes of the multi-byte ones. */
export const OP = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  try: 0x06,
  catch: 0x07,
  throw: 0x08,
  rethrow: 0x09,
  throwRef: 0x0a,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  returnCall: 0x12,
  returnCallIndirect: 0x13,
  callRef: 0x14,
  returnCallRef: 0x15,
  delegate: 0x18,
  catchAll: 0x19,
  drop: 0x1a,
  select: 0x1b,
  selectTyped: 0x1c,
  tryTable: 0x1f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalGet: 0x23,
  globalSet: 0x24,
  tableGet: 0x25,
  tableSet: 0x26,
  /** the first load; loads and then stores run through i64.store32 */
  i32Load: 0x28,
  i32Load8U: 0x2d,
  i32Store: 0x36,
  i64Store32: 0x3e,
  memorySize: 0x3f,
  memoryGrow: 0x40,
  i32Const: 0x41,
  i64Const: 0x42,
  f32Const: 0x43,
  f64Const: 0x44,
  /** the first numeric operator; numeric operators run through i64.extend32_s, none has immediates */
  i32Eqz: 0x45,
  i32Ne: 0x47,
  i32GeU: 0x4f,
  i64Eqz: 0x50,
  i64GtU: 0x56,
  i64LeS: 0x57,
  f32Ne: 0x5c,
  f32Lt: 0x5d,
  f32Ge: 0x60,
  f64Ne: 0x62,
  f64Lt: 0x63,
  f64Ge: 0x66,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32DivS: 0x6d,
  i32DivU: 0x6e,
  i32RemS: 0x6f,
  i32RemU: 0x70,
  i32And: 0x71,
  i32Xor: 0x73,
  i32Rotl: 0x77,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64DivS: 0x7f,
  i64DivU: 0x80,
  i64RemS: 0x81,
  i64RemU: 0x82,
  i64And: 0x83,
  f32Trunc: 0x8f,
  f64Trunc: 0x9d,
  i32TruncF32S: 0xa8,
  i32TruncF32U: 0xa9,
  i32TruncF64S: 0xaa,
  i32TruncF64U: 0xab,
  i64ExtendI32U: 0xad,
  i64TruncF32S: 0xae,
  i64TruncF32U: 0xaf,
  i64TruncF64S: 0xb0,
  i64TruncF64U: 0xb1,
  f64ConvertI64S: 0xb9,
  f64ConvertI64U: 0xba,
  i64Extend32S: 0xc4,
  refNull: 0xd0,
  refIsNull: 0xd1,
  refFunc: 0xd2,
  refEq: 0xd3,
  refAsNonNull: 0xd4,
  brOnNull: 0xd5,
  brOnNonNull: 0xd6,
  prefixGc: 0xfb,
  prefixMisc: 0xfc,
  prefixSimd: 0xfd,
  prefixAtomic: 0xfe,
} as const;

/** 0xfc-prefixed operators. */
export const MISC = {
  /** 0-7: the saturating (non-trapping) float-to-int truncations */
  lastSaturatingTruncation: 7,
  memoryInit: 8,
  dataDrop: 9,
  memoryCopy: 10,
  memoryFill: 11,
  tableInit: 12,
  elemDrop: 13,
  tableCopy: 14,
  tableGrow: 15,
  tableSize: 16,
  tableFill: 17,
} as const;

/** 0xfd-prefixed operators, by the immediates they carry. */
export const SIMD = {
  /** 0-11: v128.load*, v128.store (a memarg) */
  lastLoadStore: 11,
  /** a 16-byte immediate */
  v128Const: 12,
  i8x16Shuffle: 13,
  /** 21-34: extract and replace lane (a lane index) */
  firstLaneOp: 21,
  lastLaneOp: 34,
  /** 84-91: load and store lane (a memarg and a lane index) */
  firstLaneLoadStore: 84,
  lastLaneLoadStore: 91,
  v128Load32Zero: 92,
  v128Load64Zero: 93,
  /** the last operator of the SIMD and relaxed-SIMD proposals */
  last: 0x113,
} as const;

/** 0xfe-prefixed operators: every one but the fence carries a memarg. */
export const ATOMIC = {
  fence: 3,
} as const;

/** Block types and type constructors. */
export const EMPTY_BLOCK_TYPE = 0x40;
export const FUNC_TYPE = 0x60;
