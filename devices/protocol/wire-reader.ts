import { ProtocolError } from './protocol-error.js';

/** Little-endian reads from one message; reading past its end is a `bad-message`. */
export class WireReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private take(n: number): number {
    if (this.pos + n > this.bytes.length) throw new ProtocolError('bad-message', `${this.what} ends early: needs ${this.pos + n} bytes, has ${this.bytes.length}`);
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

  raw(n: number): Uint8Array {
    const at = this.take(n);
    return this.bytes.slice(at, at + n);
  }

  rest(): Uint8Array {
    return this.raw(this.remaining);
  }

  /** A string of at most 255 bytes, length first. */
  text8(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.raw(this.u8()));
  }

  end(): void {
    if (this.remaining !== 0) throw new ProtocolError('bad-message', `${this.what} has ${this.remaining} bytes too many`);
  }
}
