/**
 * CRC-32/IEEE (the zlib / PNG / gzip polynomial 0xEDB88320, reflected, init and xorout 0xFFFFFFFF),
 * table driven. `crc32(bytes("123456789")) === 0xcbf43926`.
 *
 * Not `zlib.crc32` from `node:zlib`: it only exists from Node 22 (sepconv supports Node 20), and this
 * code must also run in browsers, which have no zlib module.
 */

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 of `data`. Pass a previous result as `crc` to continue over a following chunk:
 * `crc32(b, crc32(a)) === crc32(concat(a, b))`. Returns an unsigned 32-bit integer.
 */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
