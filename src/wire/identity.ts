/**
 * Wire layer: the plugin identity carried in the `cc_lb.plugin.v1` custom section (PROTOCOL.md §3)
 * and its validation. Reading the section out of a module is the host's job (src/host).
 */
import { CC_LB_PLUGIN_MAGIC, PLUGIN_NAME_MAX_BYTES, PLUGIN_VERSION_MAX_BYTES } from './constants.js';
import { IdentityValidationError } from './errors.js';
import { fixedArray, type Static, str, struct, u8, u32 } from './schema.js';

export const PluginIdentity = struct('PluginIdentity', {
  magic: fixedArray(u8(), CC_LB_PLUGIN_MAGIC.length),
  abi_envelope: u32(),
  plugin_name: str(),
  plugin_version: str(),
});
export type PluginIdentity = Static<typeof PluginIdentity>;

const utf8 = new TextEncoder();

/** `PluginIdentity::validate()`: the first failing rule throws. `abi_envelope` is never checked. */
export function validateIdentity(identity: PluginIdentity): void {
  if (!sameMagic(identity.magic)) throw new IdentityValidationError('MagicMismatch');
  if (identity.plugin_name === '') throw new IdentityValidationError('PluginNameEmpty');
  // The reference checks the name byte by byte, so any non-ASCII byte fails the pattern.
  const name = utf8.encode(identity.plugin_name);
  if (name.length > PLUGIN_NAME_MAX_BYTES) throw new IdentityValidationError('PluginNameInvalid');
  if (!isLowerAsciiLetter(name[0]!) || !name.every(isPluginNameByte)) {
    throw new IdentityValidationError('PluginNameInvalid');
  }
  if (identity.plugin_version === '') throw new IdentityValidationError('PluginVersionEmpty');
  if (utf8.encode(identity.plugin_version).length > PLUGIN_VERSION_MAX_BYTES) {
    throw new IdentityValidationError('PluginVersionTooLong');
  }
}

function sameMagic(magic: readonly number[]): boolean {
  return (
    magic.length === CC_LB_PLUGIN_MAGIC.length && magic.every((byte, i) => byte === CC_LB_PLUGIN_MAGIC[i])
  );
}

function isLowerAsciiLetter(byte: number): boolean {
  return byte >= 0x61 && byte <= 0x7a;
}

function isPluginNameByte(byte: number): boolean {
  return isLowerAsciiLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f || byte === 0x2d;
}
