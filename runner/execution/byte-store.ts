/**
 * Bytes that arrive in pieces of any size, kept in a few large blocks: a
 * program that writes one byte at a time must not cost the runner one object
 * per byte (a Buffer per piece costs ~200 bytes of heap: 16 MiB of 1-byte
 * writes would be over 3 GB). Blocks grow with the amount kept (4 KiB up to
 * 1 MiB each), so a small output costs little and a large one few blocks.
 * Holds at most `maxBytes`; what is beyond is not kept.
 */
const FIRST_BLOCK = 4 * 1024;
const LARGEST_BLOCK = 1024 * 1024;

export class ByteStore {
  private readonly blocks: Buffer[] = [];
  /** Bytes used in the last block. */
  private used = 0;
  private total = 0;

  constructor(private readonly maxBytes = Number.MAX_SAFE_INTEGER) {}

  get length(): number {
    return this.total;
  }

  get full(): boolean {
    return this.total >= this.maxBytes;
  }

  /** Appends what fits; returns how many bytes were kept. */
  append(bytes: Uint8Array): number {
    const take = Math.min(bytes.length, this.maxBytes - this.total);
    let offset = 0;
    while (offset < take) {
      let last = this.blocks.at(-1);
      if (!last || this.used === last.length) {
        const size = Math.min(Math.max(FIRST_BLOCK, this.total), LARGEST_BLOCK, this.maxBytes - this.total);
        last = Buffer.allocUnsafe(size);
        this.blocks.push(last);
        this.used = 0;
      }
      const n = Math.min(take - offset, last.length - this.used);
      last.set(bytes.subarray(offset, offset + n), this.used);
      this.used += n;
      offset += n;
    }
    this.total += take;
    return take;
  }

  /** Everything kept, as one Buffer. */
  toBuffer(): Buffer {
    const parts = this.blocks.map((b, i) => (i === this.blocks.length - 1 ? b.subarray(0, this.used) : b));
    return Buffer.concat(parts, this.total);
  }
}
