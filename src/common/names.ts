// Names that are checked in more than one place (the config file, the wire, the addon's caller):
// one rule each, so that what the config accepts is what the codecs and the dataplane accept.

/** Director names travel in sync trailers and heartbeats, so they are kept to what both carry. */
export const DIRECTOR_NAME_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
export const DIRECTOR_NAME_RULE = '1 to 32 characters of A-Z a-z 0-9 . _ -';

export function isDirectorName(v: unknown): v is string {
  return typeof v === 'string' && DIRECTOR_NAME_PATTERN.test(v);
}

/**
 * Linux interface names as the kernel takes them (dev_valid_name(): under IFNAMSIZ bytes, not "."
 * or "..", no "/", ":" or whitespace), kept to printable ASCII so that characters are bytes. A
 * string, for the config's JSON schema.
 */
export const INTERFACE_NAME_PATTERN = '^(?!\\.\\.?$)[!-.0-9;-~]{1,15}$';
export const INTERFACE_NAME_RULE = '1 to 15 printable ASCII characters, not "." or "..", no "/" or ":"';
const INTERFACE_NAME = new RegExp(INTERFACE_NAME_PATTERN, 'u');

export function isInterfaceName(v: unknown): v is string {
  return typeof v === 'string' && INTERFACE_NAME.test(v);
}
