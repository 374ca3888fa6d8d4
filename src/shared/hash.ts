/** FNV-1a, 32 bits, of the text's UTF-8 bytes: a stable number from a name alone. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const ch of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ ch, 0x01000193) >>> 0;
  return hash;
}
