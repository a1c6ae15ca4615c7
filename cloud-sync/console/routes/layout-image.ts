// What an uploaded background image really is: PNG or JPEG by its magic bytes (never by the content type the browser
// sent), and its pixel size read from the PNG IHDR chunk or the JPEG start-of-frame segment. Pure.

export interface ImageInfo {
  mime: 'image/png' | 'image/jpeg';
  width_px: number;
  height_px: number;
}

/** What the layout's background accepts (core/designer/layout.ts LayoutBackgroundSchema). */
export const IMAGE_MAX_SIDE_PX = 20_000;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngInfo(b: Uint8Array): ImageInfo | null {
  // Signature (8), then the first chunk, which must be IHDR: length (4) "IHDR" (4) width (4) height (4), big-endian.
  if (b.length < 24 || PNG_SIGNATURE.some((v, i) => b[i] !== v)) return null;
  if (String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { mime: 'image/png', width_px: view.getUint32(16), height_px: view.getUint32(20) };
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic …); C4 (DHT), C8 (JPG) and CC (DAC) are not. */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegInfo(b: Uint8Array): ImageInfo | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff) return null;
  let i = 2;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) return null;
    let marker = b[i + 1]!;
    // Fill bytes: any number of 0xFF before a marker.
    while (marker === 0xff && i + 2 < b.length) {
      i++;
      marker = b[i + 1]!;
    }
    i += 2;
    // Markers without a length: TEM, the restart markers, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
    // End of image, or the scan began, before any frame header: not an image we can size.
    if (marker === 0xd9 || marker === 0xda) return null;
    if (i + 2 > b.length) return null;
    const length = (b[i]! << 8) | b[i + 1]!;
    if (length < 2 || i + length > b.length) return null;
    if (isSof(marker)) {
      // length (2), sample precision (1), height (2), width (2).
      if (length < 7) return null;
      return { mime: 'image/jpeg', height_px: (b[i + 3]! << 8) | b[i + 4]!, width_px: (b[i + 5]! << 8) | b[i + 6]! };
    }
    i += length;
  }
  return null;
}

/** The image's type and size, or null when the bytes are not a PNG or JPEG whose size can be read. */
export function sniffImage(bytes: Uint8Array): ImageInfo | null {
  return pngInfo(bytes) ?? jpegInfo(bytes);
}
