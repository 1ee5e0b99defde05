/**
 * Host layer: how the host errors carry a Rust variant. The variant (with its fields) is kept as
 * a non-enumerable `detail` for exhaustive `switch`es, and each field is also an own readonly
 * property; fields a variant does not have stay absent rather than `undefined`.
 */
export function defineVariantFields(target: Error, detail: { readonly kind: string }): void {
  Object.defineProperty(target, 'detail', { value: detail, enumerable: false });
  for (const [key, value] of Object.entries(detail)) {
    if (key !== 'kind') Object.defineProperty(target, key, { value, enumerable: true });
  }
}
