import { PackageError, type PackageCheck } from './package-error.js';

/** Reads little-endian values from a window of a buffer; any read past the window is a named rejection. */
export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
    private readonly check: PackageCheck = 'semantics',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private take(n: number): number {
    if (this.pos + n > this.bytes.length) {
      throw new PackageError(this.check, `${this.what} ends early: needs ${this.pos + n} bytes, has ${this.bytes.length}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  f32(): number {
    return this.view.getFloat32(this.take(4), true);
  }

  f64(): number {
    return this.view.getFloat64(this.take(8), true);
  }

  slice(n: number): Uint8Array {
    const at = this.take(n);
    return this.bytes.subarray(at, at + n);
  }

  skipPad4(): void {
    while (this.pos % 4 !== 0) {
      if (this.u8() !== 0) throw new PackageError(this.check, `${this.what} has non-zero padding at byte ${this.pos - 1}`);
    }
  }
}
