import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { E2E_JWT_SECRET } from './e2eAuth';

/** A bearer token for `sub` with `roles`, signed with the e2e servers' secret, valid for an hour. */
export function e2eToken(sub: string, roles: string[], lifetimeSeconds = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub, roles, iat: now, exp: now + lifetimeSeconds })}`;
  return `${signingInput}.${createHmac('sha256', E2E_JWT_SECRET).update(signingInput).digest('base64url')}`;
}

/** A frame the server sent. */
export type Frame = Record<string, unknown> & { type: string };

/** A real `ws` client that records every frame and waits for the ones a test expects. */
export class NotificationClient {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects to `ws://.../ws` with the token as an Authorization header, or as a browser would (subprotocols). */
  static async connect(url: string, token: string, as: 'header' | 'subprotocol' = 'header'): Promise<NotificationClient> {
    const socket =
      as === 'header'
        ? new WebSocket(url, { headers: { authorization: `Bearer ${token}` } })
        : new WebSocket(url, ['nexus.notifications.v1', `bearer.${token}`]);
    await new Promise<void>((opened, failed) => {
      socket.once('open', () => opened());
      socket.once('error', failed);
    });
    return new NotificationClient(socket);
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The first recorded frame (from `from` on) that matches, waiting up to `timeoutMs` for it. */
  async next(predicate: (frame: Frame) => boolean, timeoutMs = 10_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** The close code and reason the server sent, waiting up to `timeoutMs` for the connection to close. */
  async closed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return new Promise((done, failed) => {
      const timer = setTimeout(() => failed(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
      this.socket.once('close', (code, reason) => {
        clearTimeout(timer);
        done({ code, reason: reason.toString('utf8') });
      });
    });
  }

  /** Drops the connection without a closing handshake (a network failure, as the server sees it). */
  drop(): void {
    this.socket.terminate();
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((closed) => {
      this.socket.once('close', () => closed());
      this.socket.close();
    });
  }
}

/** The HTTP status and body of an upgrade the server refuses. */
export async function refusedUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const socket = new WebSocket(url, { headers });
  return new Promise((done, failed) => {
    socket.once('open', () => failed(new Error('the upgrade was accepted')));
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    socket.once('error', () => undefined); // the refusal also surfaces as an error after unexpected-response
  });
}
