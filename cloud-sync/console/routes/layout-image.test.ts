// The background image's type and pixel size, read from the bytes: real PNG and JPEG files (encoded by Chromium), a JPEG
// whose frame header comes after other segments and fill bytes, and everything that is not one of them.
import { describe, expect, it } from 'vitest';
import { GIF_1x1, JPEG_37x23, PNG_41x17, WEBP_8x8 } from '../../../tests/fixtures/layout-images';
import { sniffImage } from './layout-image';

const u8 = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
const segment = (marker: number, payload: number[]) => [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];

describe('sniffImage', () => {
  it('reads a real PNG and a real JPEG, type and size', () => {
    expect(sniffImage(PNG_41x17)).toEqual({ mime: 'image/png', width_px: 41, height_px: 17 });
    expect(sniffImage(JPEG_37x23)).toEqual({ mime: 'image/jpeg', width_px: 37, height_px: 23 });
  });

  it('finds a progressive frame header after APP, COM and DQT segments, fill bytes and a restart marker', () => {
    const jpeg = u8(
      [0xff, 0xd8],
      segment(0xe1, [...Buffer.from('Exif\0\0'), 1, 2, 3]),
      segment(0xfe, [...Buffer.from('a comment with \xff\xd9 inside', 'latin1')]),
      [0xff, 0xff, 0xff], // fill before the next marker
      segment(0xdb, new Array(65).fill(1)),
      [0xff, 0xd3], // RST3: no length
      segment(0xc4, [0, 1, 2]), // DHT is not a frame header
      segment(0xc2, [8, 0x0b, 0xb8, 0x4e, 0x20, 3]), // SOF2: 8 bit, height 3000, width 20000
      [0xff, 0xda, 0, 2, 0xff, 0xd9],
    );
    expect(sniffImage(jpeg)).toEqual({ mime: 'image/jpeg', width_px: 20000, height_px: 3000 });
  });

  it('reads a PNG of four billion pixels a side as it says (the caller refuses the size)', () => {
    const png = Uint8Array.from(PNG_41x17);
    png.set([0xff, 0xff, 0xff, 0xff], 16);
    expect(sniffImage(png)).toMatchObject({ width_px: 4294967295, height_px: 17 });
  });

  it.each([
    ['a GIF', GIF_1x1],
    ['a WebP', WEBP_8x8],
    ['text', u8('hello, this is not an image at all')],
    ['nothing', u8()],
    ['a PNG cut inside its header', PNG_41x17.subarray(0, 20)],
    ['a PNG whose first chunk is not IHDR', u8(Array.from(PNG_41x17.subarray(0, 12)), 'IDAT', Array.from(PNG_41x17.subarray(16, 40)))],
    ['a JPEG that starts its scan before any frame header', u8([0xff, 0xd8], segment(0xe0, [...Buffer.from('JFIF\0'), 1, 1]), [0xff, 0xda, 0, 2])],
    ['a JPEG cut inside a segment', JPEG_37x23.subarray(0, 30)],
    ['a JPEG whose segment length runs past the end', u8([0xff, 0xd8, 0xff, 0xe0, 0x7f, 0xff, 0, 0])],
    ['a JPEG with garbage where a marker must be', u8([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0x12, 0x34])],
  ])('refuses %s', (_what, bytes) => {
    expect(sniffImage(bytes)).toBeNull();
  });
});
