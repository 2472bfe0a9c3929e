import { encodeFrame, FrameDecoder, type DropReason } from '../protocol/frame-codec.js';
import { decodeMessage, encodeMessage, type Message } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Transport, TransportError } from '../transport/transport.js';

export interface LinkStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  dropped: Record<DropReason | 'bad-message', number>;
}

export interface MessageLinkEvents {
  message?: (m: Message) => void;
  /** A frame that failed its checks, or a checked frame whose message is malformed (with its id when readable). */
  dropped?: (reason: DropReason | 'bad-message', detail: string, id: number | undefined) => void;
  closed?: (error: TransportError) => void;
}

/** Messages over a transport: frames out, checked frames in. Used by both the studio and the agent. */
export class MessageLink {
  readonly stats: LinkStats = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, dropped: { oversized: 0, corrupt: 0, crc: 0, 'bad-message': 0 } };
  private readonly decoder: FrameDecoder;
  private readonly unsubscribe: (() => void)[];

  /** @param maxMessage the longest message this side accepts; longer frames are dropped unread */
  constructor(
    readonly transport: Transport,
    maxMessage: number,
    private readonly events: MessageLinkEvents,
  ) {
    this.decoder = new FrameDecoder(maxMessage);
    this.unsubscribe = [transport.onData((bytes) => this.receive(bytes)), transport.onClose((error) => this.events.closed?.(error))];
  }

  /** Sends a 0x00 first, so whatever half-frame sits on the line ends before our first frame. */
  async flushLine(): Promise<void> {
    await this.transport.write(Uint8Array.of(0));
  }

  async send(m: Message): Promise<void> {
    const wire = encodeFrame(encodeMessage(m));
    this.stats.framesOut++;
    this.stats.bytesOut += wire.length;
    await this.transport.write(wire);
  }

  detach(): void {
    for (const u of this.unsubscribe) u();
  }

  private receive(bytes: Uint8Array): void {
    this.stats.bytesIn += bytes.length;
    for (const e of this.decoder.push(bytes)) {
      if (e.kind === 'dropped') {
        this.stats.dropped[e.reason]++;
        this.events.dropped?.(e.reason, `${e.bytes} bytes`, undefined);
        continue;
      }
      this.stats.framesIn++;
      let m: Message;
      try {
        m = decodeMessage(e.message);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        this.stats.dropped['bad-message']++;
        const id = e.message.length >= 4 ? (e.message[2] as number) | ((e.message[3] as number) << 8) : undefined;
        this.events.dropped?.('bad-message', `${error.code}: ${error.message}`, id);
        continue;
      }
      this.events.message?.(m);
    }
  }
}
