import * as crypto from 'node:crypto';
import { createRng } from '@nasx/kernel';
import { bswap32, digestHex, Md5 } from './md5';

describe('md5', () => {
  it('equals node:crypto on random messages of every length 0..300 (several per length)', () => {
    const rng = createRng(101);
    const md5 = new Md5(512);
    const bad: number[] = [];
    for (let len = 0; len <= 300; len++) {
      for (let rep = 0; rep < 3; rep++) {
        const bytes = Buffer.from(Array.from({ length: len }, () => rng.int(256)));
        md5.buffer.set(bytes);
        const ours = digestHex(md5.compute(len));
        if (ours !== crypto.createHash('md5').update(bytes).digest('hex')) bad.push(len);
      }
    }
    expect(bad).toEqual([]);
  });

  it('gives the RFC 1321 test-suite digests', () => {
    const md5 = new Md5();
    const hex = (s: string): string => {
      md5.buffer.set(Buffer.from(s, 'latin1'));
      return digestHex(md5.compute(s.length));
    };
    expect(hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(hex('12345678901234567890123456789012345678901234567890123456789012345678901234567890')).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('refuses messages longer than its buffer, and byte-swaps words for hex order', () => {
    expect(() => new Md5(16).compute(17)).toThrow(RangeError);
    expect(bswap32(0x78563412)).toBe(0x12345678);
    expect(bswap32(-1)).toBe(0xffffffff);
  });
});
