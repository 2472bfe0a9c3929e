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
    const at = this.reserve(1); // reserve may grow the buffer: take the view after it
    this.view.setUint8(at, v);
    return this;
  }

  u16(v: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, v, true);
    return this;
  }

  u32(v: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, v >>> 0, true);
    return this;
  }

  f32(v: number): this {
    const at = this.reserve(4);
    this.view.setFloat32(at, v, true);
    return this;
  }

  f64(v: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, v, true);
    return this;
  }

  raw(b: Uint8Array): this {
    const at = this.reserve(b.length);
    this.bytes.set(b, at);
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
