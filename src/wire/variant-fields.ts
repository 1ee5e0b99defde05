/**
 * Wire layer (shared by the host layer above it): how an error carries a Rust enum variant. The
 * variant (with its fields) is kept as a non-enumerable `detail` for exhaustive `switch`es, and
 * each field is also an own readonly property; fields a variant does not have stay absent rather
 * than `undefined`, and `kind` is left to the class, which declares it. Internal: not re-exported
 * from the wire entry.
 */
export function defineVariantFields(target: Error, detail: { readonly kind: string }): void {
  Object.defineProperty(target, 'detail', { value: detail, enumerable: false });
  for (const [key, value] of Object.entries(detail)) {
    if (key !== 'kind') Object.defineProperty(target, key, { value, enumerable: true });
  }
}
