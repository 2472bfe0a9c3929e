import { createConnection, createServer, type Socket } from 'node:net';
import { DISCONNECTED_HINT } from './transport-hints.js';
import { TransportError, type Transport } from './transport.js';
import { TransportListeners } from './transport-listeners.js';

/** The agent's port when none is given (docs/protocol.md, "Transports"). */
export const DEFAULT_TCP_PORT = 5577;

function where(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function connectFailed(host: string, port: number, error: NodeJS.ErrnoException): TransportError {
  const at = where(host, port);
  const code = error.code ?? '';
  let hint = `check the address and that the board is on the network (\`reframe devices\` lists agents it finds)`;
  if (code === 'ECONNREFUSED') hint = `nothing listens there: start the agent on the board (\`reframe agent --listen 0.0.0.0:${port} --store <dir>\`) or check the port`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') hint = `the name ${host} does not resolve: use the board's IP address, or \`reframe devices\` to find it`;
  else if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') hint = `the board does not answer: check it is powered and on the same network`;
  return new TransportError('open-failed', `cannot connect to ${at} (${code || error.message})`, hint);
}

/** A connected socket as a Transport: writes resolve when handed to the OS; a reset or EOF is `disconnected`. */
class TcpTransport extends TransportListeners implements Transport {
  private ended: TransportError | undefined;
  private lastError: NodeJS.ErrnoException | undefined;

  constructor(
    private readonly socket: Socket,
    readonly label: string,
  ) {
    super();
    // Frames are small and latency-bound (an ACK per chunk): Nagle would hold them back.
    socket.setNoDelay(true);
    // Always reading: a paused socket never sees the peer's EOF, so its loss would go unnoticed.
    socket.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.emitData(bytes);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.lastError = error;
    });
    socket.on('close', () => {
      if (this.ended !== undefined) return;
      const why = this.lastError === undefined ? 'the other side closed the connection' : `the connection failed (${this.lastError.code ?? this.lastError.message})`;
      this.end(new TransportError('disconnected', `${this.label}: ${why}`, DISCONNECTED_HINT));
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.socket.write(Buffer.from(bytes), (error) => {
        if (!error) return resolve();
        if (this.ended !== undefined) return reject(this.ended);
        // The failed write comes just before the socket's close: wait for it, so the caller learns why.
        const fallback = new TransportError('write-failed', `writing to ${this.label} failed (${error.message})`, DISCONNECTED_HINT);
        const timer = setTimeout(() => {
          off();
          reject(this.ended ?? fallback);
        }, 200);
        const off = this.onClose((e) => {
          clearTimeout(timer);
          off();
          reject(e);
        });
      });
    });
  }

  close(): Promise<void> {
    if (this.ended !== undefined) return Promise.resolve();
    this.ended = new TransportError('closed', `${this.label} is closed`, 'open it again');
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      // A peer that never reads would keep the half-closed socket alive.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private end(error: TransportError): void {
    this.ended = error;
    this.emitClose(error);
  }
}

/** Connects to a board agent over TCP. */
export function connectTcp(host: string, port: number = DEFAULT_TCP_PORT): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const onError = (error: NodeJS.ErrnoException): void => reject(connectFailed(host, port, error));
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(new TcpTransport(socket, `tcp ${where(host, port)}`));
    });
  });
}

export interface TcpListener {
  /** The bound port (useful when 0 asked the OS to choose). */
  readonly port: number;
  /** Stops listening and closes every connection it accepted. */
  close(): Promise<void>;
}

/** Listens for studios (the board agent's side): each connection becomes a Transport. */
export function listenTcp(host: string, port: number, onConnection: (t: Transport) => void): Promise<TcpListener> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    onConnection(new TcpTransport(socket, `tcp ${where(socket.remoteAddress ?? '?', socket.remotePort ?? 0)}`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'EADDRINUSE' ? `another program uses port ${port}: stop it or choose another port` : `check the address ${host} belongs to this machine`;
      reject(new TransportError('open-failed', `cannot listen on ${where(host, port)} (${error.code ?? error.message})`, hint));
    });
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}
