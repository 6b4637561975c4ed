import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads a request body of at most `max` bytes; undefined (having stopped reading) when it is larger, or says it
 * will be: a large body is never buffered before the signature check.
 */
export async function readCapped(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > max) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** 413, and the connection closed: the rest of the body is not read. */
export function tooLarge(res: ServerResponse): void {
  res.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end('Payload Too Large', () => res.socket?.destroy());
}
