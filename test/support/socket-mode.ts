import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { SlackStandIn } from '../../integrations/slack/stand-in';
import { loadEvent } from './fixtures';
import { TEST_BOT_TOKEN } from './slack';

export const TEST_APP_TOKEN = 'xapp-1-A0OPSBOT01-000-test';

/** What the app sent back over the socket: an acknowledgement of one envelope. */
export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: Record<string, unknown>;
}

/**
 * Slack's side of Socket Mode on loopback: `apps.connections.open` (app-level token only) answers with a
 * `ws://127.0.0.1` URL served by a `ws` server, which greets each connection with Slack's `hello` and then carries the
 * envelopes a test sends and the acknowledgements the app returns. Every other Web API call goes to the stand-in.
 */
export interface SocketModeStandIn {
  readonly url: string;
  readonly standIn: SlackStandIn;
  /** `apps.connections.open` calls, with the Authorization they carried. */
  readonly opened: string[];
  /** Resolves once the app is connected (it has the `hello`). */
  connected(): Promise<void>;
  /** Sends one envelope and resolves with the app's acknowledgement of it. */
  deliver(envelope: { type: string; payload: Record<string, unknown> }): Promise<SocketAck>;
  /** Refuses the next `apps.connections.open` with Slack's error. */
  refuseNextOpen(error: string): void;
  close(): Promise<void>;
}

export async function startSocketModeStandIn(botToken = TEST_BOT_TOKEN): Promise<SocketModeStandIn> {
  const standIn = new SlackStandIn('http://127.0.0.1:0', botToken);
  const opened: string[] = [];
  let refusal: string | undefined;
  const sockets = new WebSocketServer({ noServer: true });
  const acks = new Map<string, (ack: SocketAck) => void>();
  let socket: WebSocket | undefined;
  let onConnected: (() => void) | undefined;
  const connected = new Promise<void>((resolve) => {
    onConnected = resolve;
  });

  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === '/api/apps.connections.open') {
      const auth = req.headers.authorization ?? '';
      opened.push(auth);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // Slack takes only an app-level token here, in the Authorization header.
      if (!auth.startsWith('Bearer xapp-')) res.end(JSON.stringify({ ok: false, error: 'not_allowed_token_type' }));
      else if (refusal !== undefined) res.end(JSON.stringify({ ok: false, error: refusal }));
      else res.end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${port()}/link/?ticket=${randomUUID()}` }));
      refusal = undefined;
      return;
    }
    void standIn.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  server.on('upgrade', (req, tcp, head) => {
    if (!req.url?.startsWith('/link/')) {
      tcp.destroy();
      return;
    }
    sockets.handleUpgrade(req, tcp, head, (ws) => {
      socket = ws;
      ws.on('message', (data) => {
        const ack = JSON.parse(String(data)) as SocketAck;
        acks.get(ack.envelope_id)?.(ack);
      });
      ws.send(JSON.stringify(loadEvent('slack-socket', 'hello')));
      onConnected?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = () => (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port()}`;
  standIn.baseUrl = url;

  return {
    url,
    standIn,
    opened,
    connected: () => connected,
    deliver(envelope) {
      const open = socket;
      if (open === undefined) return Promise.reject(new Error('the app is not connected'));
      const envelopeId = randomUUID();
      const acked = new Promise<SocketAck>((resolve) => acks.set(envelopeId, resolve));
      // Slack takes a response in the acknowledgement of commands and interactions, not of events.
      const accepts = envelope.type !== 'events_api';
      open.send(JSON.stringify({ accepts_response_payload: accepts, ...envelope, envelope_id: envelopeId }));
      return acked;
    },
    refuseNextOpen(error) {
      refusal = error;
    },
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
