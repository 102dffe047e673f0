import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket client written byte by byte, to send what a well-behaved
 * library never would: unmasked frames, reserved bits and opcodes, invalid
 * UTF-8, oversized frames, bad close codes.
 */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Opens a TCP connection and sends an upgrade request; resolves with the client and the response's status. */
  static async upgrade(
    port: number,
    headers: Record<string, string>,
    options: { path?: string; method?: string; omit?: string[]; host?: string } = {},
  ): Promise<{ client: RawClient; status: number; head: string }> {
    const client = await RawClient.open(port);
    client.sendUpgrade(headers, options);
    const head = await client.readHead();
    return { client, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head };
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  sendUpgrade(
    headers: Record<string, string>,
    options: { path?: string; method?: string; omit?: string[]; host?: string } = {},
  ): void {
    const all: Record<string, string> = {
      Host: options.host ?? `127.0.0.1:${(this.socket.remotePort ?? 0).toString()}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...headers,
    };
    for (const name of options.omit ?? []) delete all[name];
    const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}`);
    this.socket.write(
      `${options.method ?? 'GET'} ${options.path ?? '/'} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`,
    );
  }

  /** The response head (status line and headers) of the upgrade request. */
  async readHead(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buffer.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
        // A refusal carries a body; a 101 is followed by frames.
        this.buffer = this.buffer.subarray(end + 4 + (status === 101 ? 0 : length));
        return head;
      }
      if (this.ended) return '';
      await this.wait(deadline);
    }
  }

  write(data: Buffer): void {
    this.socket.write(data);
  }

  /**
   * Server frames up to and including its close frame; `close` is its code
   * and reason (undefined if the connection ended without one).
   */
  async untilClosed(timeoutMs = 10_000): Promise<{
    messages: string[];
    close?: { code: number; reason: string };
  }> {
    const deadline = Date.now() + timeoutMs;
    const messages: string[] = [];
    for (;;) {
      const frame = this.takeFrame();
      if (frame) {
        if (frame.opcode === 0x8) {
          const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
          return { messages, close: { code, reason: frame.payload.subarray(2).toString('utf8') } };
        }
        if (frame.opcode === 0x1) messages.push(frame.payload.toString('utf8'));
        continue;
      }
      if (this.ended) return { messages };
      await this.wait(deadline);
    }
  }

  /** The next text message from the server (or throws when the connection closes first). */
  async nextMessage(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.takeFrame();
      if (frame?.opcode === 0x1) return frame.payload.toString('utf8');
      if (frame?.opcode === 0x8) throw new Error(`closed with ${frame.payload.readUInt16BE(0)}`);
      if (frame) continue;
      if (this.ended) throw new Error('connection ended');
      await this.wait(deadline);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private takeFrame(): { opcode: number; payload: Buffer } | undefined {
    const b = this.buffer;
    if (b.length < 2) return undefined;
    let length = (b[1] as number) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    if (b.length < offset + length) return undefined;
    const frame = { opcode: (b[0] as number) & 0x0f, payload: b.subarray(offset, offset + length) };
    this.buffer = b.subarray(offset + length);
    return frame;
  }

  private wait(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('timed out waiting for the server');
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** One client-to-server frame (RFC 6455 5.2), masked unless told otherwise. */
export function frame(
  opcode: number,
  payload: Buffer | string,
  options: { fin?: boolean; mask?: boolean; rsv?: number } = {},
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = options.mask ?? true;
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  let header: Buffer;
  if (data.length < 126) {
    header = Buffer.from([first, (mask ? 0x80 : 0) | data.length]);
  } else if (data.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  if (!mask) return Buffer.concat([header, data]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i += 1) masked[i] = (data[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([header, key, masked]);
}

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9 } as const;
