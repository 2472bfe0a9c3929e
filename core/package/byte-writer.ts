/** Appends little-endian values to a growing buffer; used to build sections before they are laid out. */
export class ByteWriter {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + n));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += n;
    return at;
  }

  u8(v: number): this {
    this.view.setUint8(this.reserve(1), v);
    return this;
  }

  u16(v: number): this {
    this.view.setUint16(this.reserve(2), v, true);
    return this;
  }

  u32(v: number): this {
    this.view.setUint32(this.reserve(4), v >>> 0, true);
    return this;
  }

  f32(v: number): this {
    this.view.setFloat32(this.reserve(4), v, true);
    return this;
  }

  f64(v: number): this {
    this.view.setFloat64(this.reserve(8), v, true);
    return this;
  }

  raw(b: Uint8Array): this {
    this.bytes.set(b, this.reserve(b.length));
    return this;
  }

  /** Zero bytes up to the next multiple of 4. */
  pad4(): this {
    while (this.length % 4 !== 0) this.u8(0);
    return this;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
