// TextEncoder and TextDecoder exist in every runtime core/ targets (browsers, Node, Electron), but the
// browser-safe project compiles without DOM or Node types, so it declares the part it uses.
declare global {
  class TextEncoder {
    encode(input?: string): Uint8Array;
  }
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean });
    decode(input?: Uint8Array): string;
  }
}
export {};
