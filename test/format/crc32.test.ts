import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/format/crc32.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32 (CRC-32/IEEE)', () => {
  it('matches the standard check value and known vectors', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('continues over chunks', () => {
    expect(crc32(ascii('56789'), crc32(ascii('1234')))).toBe(0xcbf43926);
  });
});
