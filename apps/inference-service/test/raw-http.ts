import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** An answer as it came off the wire: status, headers, the body as text and, when it is JSON, parsed. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: any;
  readonly ms: number;
}

export interface RawRequest {
  readonly method: string;
  /** Sent as written: percent-encoding and all. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes as sent; a string is sent as UTF-8 (a lone surrogate as U+FFFD: send bytes for anything else). */
  readonly body?: string | Buffer;
  /** No answer within this long is a hang: the request fails naming it. Default 10 s. */
  readonly timeoutMs?: number;
}

/** Connections kept open between requests: thousands of requests without thousands of handshakes. */
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/**
 * One HTTP request with exactly the bytes, path and headers given (no client-side validation, no
 * retries), failing when no complete answer comes within the timeout. An answer sent before the body
 * was written in full (a 413 refused on its Content-Length) counts: the write's failure after it does not.
 */
export function rawRequest(url: string, r: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const timeoutMs = r.timeoutMs ?? 10_000;
  const headers: Record<string, string> = {
    ...(r.body !== undefined ? { 'content-length': String(Buffer.byteLength(r.body)) } : {}),
    ...r.headers,
  };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms: ${r.method} ${r.path.slice(0, 120)}`));
    }, timeoutMs);
    const req = httpRequest({ host: hostname, port, method: r.method, path: r.path, headers, agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: performance.now() - started });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.on('error', (err) => {
      if (answered) return;
      clearTimeout(timer);
      reject(err);
    });
    req.end(r.body);
  });
}

/** A JSON POST as a client sends one. */
export function postJson(url: string, path: string, body: unknown, timeoutMs?: number): Promise<RawAnswer> {
  return rawRequest(url, {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

/** Closes the kept-open connections (at the end of a test file). */
export function closeConnections(): void {
  agent.destroy();
}
