import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * What a cut does to connections opened while it lasts:
 * - `refuse`: each is closed at once (reset), before a byte is read: like a port nobody listens on;
 * - `blackhole`: each is accepted and held open, and whatever the client sends is read and dropped:
 *   like a dependency that stopped answering (the client only notices by its own timeouts).
 */
export type TcpProxyCutMode = 'refuse' | 'blackhole';

export interface TcpProxyCutOptions {
  /**
   * What happens to the connections open when the cut begins: `destroy` (default) closes them (reset);
   * `freeze` keeps them open but forwards nothing more either way (data is dropped), like a network
   * partition under an established connection. Frozen and held connections are closed by restore().
   */
  readonly existing?: 'destroy' | 'freeze';
}

export interface TcpProxyOptions {
  readonly targetHost: string;
  readonly targetPort: number;
  /** Default 127.0.0.1. The proxy listens on an ephemeral port of it. */
  readonly listenHost?: string;
}

export interface TcpProxyStats {
  /** Client connections accepted (in any state). */
  readonly accepted: number;
  /** Client connections piped to the target. */
  readonly forwarded: number;
  /** Client connections closed at once by a `refuse` cut. */
  readonly refused: number;
  /** Client connections held by a `blackhole` cut. */
  readonly blackholed: number;
  /** Connections (client side) closed by cut(): destroyed, or frozen and later closed. */
  readonly cutConnections: number;
  /** Bytes forwarded client → target and target → client. */
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Bytes read and thrown away (blackholed or frozen connections). */
  readonly bytesDropped: number;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | null;
  /** Data is read and dropped (frozen at a cut, or a held blackhole connection). */
  dropping: boolean;
  readonly kind: 'forwarded' | 'held';
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A TCP proxy for fault-injection tests: listens on 127.0.0.1:<ephemeral> and pipes every connection
 * to the target until cut(), which closes (or freezes) what is open and refuses or black-holes what
 * comes next, until restore(). Point a client at `host:port` (or `urlFor(url)`) instead of the target.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly pairs = new Set<Pair>();
  private cutMode: TcpProxyCutMode | null = null;
  private closed = false;
  private readonly counters: Mutable<TcpProxyStats> = {
    accepted: 0,
    forwarded: 0,
    refused: 0,
    blackholed: 0,
    cutConnections: 0,
    bytesUp: 0,
    bytesDown: 0,
    bytesDropped: 0,
  };
  private _port = 0;

  private constructor(private readonly options: TcpProxyOptions) {
    this.server = createServer((client) => this.accept(client));
    this.server.on('error', () => undefined);
  }

  /** Starts a proxy to `targetHost:targetPort`; resolves once it listens. */
  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    if (!Number.isInteger(options.targetPort) || options.targetPort <= 0 || options.targetPort > 65535) {
      throw new RangeError(`targetPort must be a TCP port, got ${options.targetPort}`);
    }
    const proxy = new TcpProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, options.listenHost ?? '127.0.0.1', () => {
        proxy.server.off('error', reject);
        resolve();
      });
    });
    proxy._port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  /** A proxy in front of the host and port of `url` (postgres://…, redis://…; default port by scheme). */
  static forUrl(url: string): Promise<TcpProxy> {
    const parsed = new URL(url);
    const defaults: Record<string, number> = {
      'postgres:': 5432,
      'postgresql:': 5432,
      'redis:': 6379,
      'rediss:': 6379,
    };
    const port = parsed.port === '' ? defaults[parsed.protocol] : Number(parsed.port);
    if (port === undefined) throw new RangeError(`no port in ${url} and no default for ${parsed.protocol}`);
    return TcpProxy.start({ targetHost: parsed.hostname, targetPort: port });
  }

  get host(): string {
    return this.options.listenHost ?? '127.0.0.1';
  }

  get port(): number {
    return this._port;
  }

  /** `url` with its host and port replaced by the proxy's (user, path and query kept). */
  urlFor(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = this.host;
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** The current cut, or null when forwarding. */
  get mode(): TcpProxyCutMode | null {
    return this.cutMode;
  }

  /** Client connections open now (forwarded, frozen or held). */
  get openConnections(): number {
    return this.pairs.size;
  }

  get stats(): TcpProxyStats {
    return { ...this.counters };
  }

  /**
   * Cuts the link: open connections are destroyed (or frozen, see TcpProxyCutOptions), new ones are
   * refused or black-holed until restore(). Cutting again changes the mode of new connections only.
   */
  cut(mode: TcpProxyCutMode = 'refuse', options: TcpProxyCutOptions = {}): void {
    if (mode !== 'refuse' && mode !== 'blackhole')
      throw new RangeError(`cut mode must be 'refuse' or 'blackhole', got ${String(mode)}`);
    const wasCut = this.cutMode !== null;
    this.cutMode = mode;
    if (wasCut) return;
    for (const pair of [...this.pairs]) {
      this.counters.cutConnections++;
      if ((options.existing ?? 'destroy') === 'freeze') {
        pair.dropping = true;
      } else {
        this.drop(pair);
      }
    }
  }

  /**
   * Forwards again. Connections frozen or held during the cut are closed (their data is lost, so the
   * client must reconnect, as after a failover); new connections are piped to the target.
   */
  restore(): void {
    if (this.cutMode === null) return;
    this.cutMode = null;
    for (const pair of [...this.pairs]) if (pair.dropping) this.drop(pair);
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pair of [...this.pairs]) this.drop(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.counters.accepted++;
    client.on('error', () => undefined);
    if (this.closed) {
      client.destroy();
      return;
    }
    if (this.cutMode === 'refuse') {
      this.counters.refused++;
      resetAndDestroy(client);
      return;
    }
    if (this.cutMode === 'blackhole') {
      this.counters.blackholed++;
      const pair: Pair = { client, upstream: null, dropping: true, kind: 'held' };
      this.pairs.add(pair);
      client.on('data', (chunk: Buffer) => {
        this.counters.bytesDropped += chunk.length;
      });
      client.on('close', () => this.pairs.delete(pair));
      return;
    }
    this.forward(client);
  }

  private forward(client: Socket): void {
    this.counters.forwarded++;
    client.setNoDelay(true);
    const upstream = createConnection({ host: this.options.targetHost, port: this.options.targetPort });
    upstream.setNoDelay(true);
    upstream.on('error', () => undefined);
    const pair: Pair = { client, upstream, dropping: false, kind: 'forwarded' };
    this.pairs.add(pair);
    // Written by hand rather than piped, so a frozen connection can drop data instead of buffering it;
    // backpressure is kept (pause the reader while the writer's buffer is full).
    const relay = (from: Socket, to: Socket, counted: 'bytesUp' | 'bytesDown') =>
      from.on('data', (chunk: Buffer) => {
        if (pair.dropping) {
          this.counters.bytesDropped += chunk.length;
          return;
        }
        this.counters[counted] += chunk.length;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
    relay(client, upstream, 'bytesUp');
    relay(upstream, client, 'bytesDown');
    // A half-close is passed on (the protocols proxied here do not use it, but it is cheap to keep).
    client.on('end', () => {
      if (!pair.dropping) upstream.end();
    });
    upstream.on('end', () => {
      if (!pair.dropping) client.end();
    });
    client.on('close', () => {
      this.pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on('close', () => {
      // A frozen connection's client side stays open (and counted) until restore(), whatever the target does.
      if (pair.dropping && !client.destroyed) return;
      client.destroy();
    });
  }

  private drop(pair: Pair): void {
    this.pairs.delete(pair);
    resetAndDestroy(pair.client);
    if (pair.upstream) resetAndDestroy(pair.upstream);
  }
}

/** Closes with a reset (RST) where Node can, so the peer sees an abrupt failure rather than an orderly end. */
function resetAndDestroy(socket: Socket): void {
  if (socket.destroyed) return;
  const reset = (socket as Socket & { resetAndDestroy?: () => Socket }).resetAndDestroy;
  try {
    if (typeof reset === 'function' && socket.readyState !== 'opening') reset.call(socket);
    else socket.destroy();
  } catch {
    socket.destroy();
  }
}
