import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { testRedisUrl } from '../redis/test-redis';
import { waitFor } from '../wait/wait-for';
import { TcpProxy } from './tcp-proxy';

/** An echo server that counts the connections it was given. */
class EchoServer {
  readonly server: Server;
  accepted = 0;
  readonly open = new Set<Socket>();
  constructor() {
    this.server = createServer((socket) => {
      this.accepted++;
      this.open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.open.delete(socket));
      socket.pipe(socket);
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A client connection that records what it received and how it ended. */
class Client {
  readonly socket: Socket;
  received = Buffer.alloc(0);
  connected = false;
  closed = false;
  error: NodeJS.ErrnoException | undefined;
  constructor(port: number) {
    this.socket = createConnection({ host: '127.0.0.1', port });
    this.socket.on('connect', () => (this.connected = true));
    this.socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    this.socket.on('error', (err) => (this.error = err));
    this.socket.on('close', () => (this.closed = true));
  }
  write(data: Buffer | string): void {
    this.socket.write(data);
  }
  destroy(): void {
    this.socket.destroy();
  }
}

describe('TcpProxy', () => {
  let echo: EchoServer;
  let echoPort: number;
  let proxy: TcpProxy;
  const clients: Client[] = [];
  const connect = () => {
    const c = new Client(proxy.port);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    echo = new EchoServer();
    echoPort = await echo.listen();
    proxy = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: echoPort });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await proxy.close();
    await echo.close();
  });

  it('listens on an ephemeral loopback port and forwards both ways, byte for byte, over many connections', async () => {
    expect(proxy.host).toBe('127.0.0.1');
    expect(proxy.port).toBeGreaterThan(0);
    expect(proxy.port).not.toBe(echoPort);
    const payloads = Array.from({ length: 5 }, (_, i) => randomBytes(200_000 + i * 1000));
    const conns = payloads.map(() => connect());
    conns.forEach((c, i) => c.write(payloads[i]));
    await waitFor(() => conns.every((c, i) => c.received.length === payloads[i].length), {
      message: 'every echo back',
    });
    conns.forEach((c, i) => expect(c.received.equals(payloads[i])).toBe(true));
    const total = payloads.reduce((n, p) => n + p.length, 0);
    expect(proxy.stats).toMatchObject({
      accepted: 5,
      forwarded: 5,
      refused: 0,
      blackholed: 0,
      bytesUp: total,
      bytesDown: total,
      bytesDropped: 0,
    });
    expect(proxy.openConnections).toBe(5);
    expect(echo.accepted).toBe(5);
    conns[0].destroy();
    await waitFor(() => proxy.openConnections === 4 && echo.open.size === 4, {
      message: 'the closed connection gone on both sides',
    });
  });

  it('refuse: destroys open connections and closes new ones at once, without reaching the target; restore forwards again', async () => {
    const before = connect();
    before.write('ping');
    await waitFor(() => before.received.toString() === 'ping');

    proxy.cut('refuse');
    expect(proxy.mode).toBe('refuse');
    await waitFor(() => before.closed, { message: 'the open connection closed by the cut' });
    await waitFor(() => echo.open.size === 0, { message: 'the upstream side closed too' });

    const during = connect();
    during.write('lost');
    await waitFor(() => during.closed, { message: 'a new connection closed at once' });
    expect(during.received.length).toBe(0);
    expect(echo.accepted).toBe(1);
    expect(proxy.stats).toMatchObject({ refused: 1, cutConnections: 1, forwarded: 1 });
    expect(proxy.openConnections).toBe(0);

    proxy.restore();
    expect(proxy.mode).toBeNull();
    const after = connect();
    after.write('pong');
    await waitFor(() => after.received.toString() === 'pong', { message: 'forwarding after restore' });
    expect(echo.accepted).toBe(2);
  });

  it('blackhole: destroys open connections, accepts new ones and drops what they send; restore closes them and forwards again', async () => {
    const before = connect();
    before.write('x');
    await waitFor(() => before.received.toString() === 'x');

    proxy.cut('blackhole');
    await waitFor(() => before.closed, { message: 'the open connection closed by the cut' });

    const during = connect();
    await waitFor(() => during.connected, { message: 'a black-holed connection is accepted' });
    during.write('hello?');
    await waitFor(() => proxy.stats.bytesDropped === 6, { message: 'the bytes read and dropped' });
    expect(during.received.length).toBe(0);
    expect(during.closed).toBe(false);
    expect(echo.accepted).toBe(1);
    expect(proxy.openConnections).toBe(1);
    expect(proxy.stats).toMatchObject({ blackholed: 1, refused: 0 });

    proxy.restore();
    await waitFor(() => during.closed, { message: 'the held connection closed by restore' });
    expect(during.received.length).toBe(0);
    const after = connect();
    after.write('back');
    await waitFor(() => after.received.toString() === 'back', { message: 'forwarding after restore' });
    expect(echo.accepted).toBe(2);
  });

  it("a cut with existing 'freeze' keeps open connections open but silent (both ways) until restore", async () => {
    const frozen = connect();
    frozen.write('a');
    await waitFor(() => frozen.received.toString() === 'a');

    proxy.cut('refuse', { existing: 'freeze' });
    frozen.write('bcd');
    await waitFor(() => proxy.stats.bytesDropped === 3, { message: 'client bytes dropped' });
    // The target side is still connected and can talk; that is dropped too.
    expect(echo.open.size).toBe(1);
    [...echo.open][0].write('from-target');
    await waitFor(() => proxy.stats.bytesDropped === 3 + 'from-target'.length, { message: 'target bytes dropped' });
    expect(frozen.received.toString()).toBe('a');
    expect(frozen.closed).toBe(false);
    expect(proxy.openConnections).toBe(1);

    // New connections follow the cut's mode.
    const refused = connect();
    await waitFor(() => refused.closed);
    expect(refused.received.length).toBe(0);

    proxy.restore();
    await waitFor(() => frozen.closed, { message: 'the frozen connection closed by restore' });
    expect(frozen.received.toString()).toBe('a');
  });

  it('a second cut changes the mode of new connections only', async () => {
    proxy.cut('blackhole');
    const held = connect();
    await waitFor(() => held.connected && proxy.openConnections === 1);
    proxy.cut('refuse');
    expect(proxy.mode).toBe('refuse');
    const refused = connect();
    await waitFor(() => refused.closed);
    expect(held.closed).toBe(false);
    proxy.restore();
    await waitFor(() => held.closed);
  });

  it('closes the client when the target is unreachable, and refuses connections once closed', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const nowhere = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: free });
    try {
      const c = new Client(nowhere.port);
      clients.push(c);
      await waitFor(() => c.closed, { message: 'client closed when the target refuses' });
      expect(nowhere.openConnections).toBe(0);
    } finally {
      await nowhere.close();
    }
    const late = new Client(nowhere.port);
    clients.push(late);
    await waitFor(() => late.closed);
    expect(late.connected).toBe(false);
    expect(late.error?.code).toBe('ECONNREFUSED');
  });

  it('rejects an unknown cut mode and a bad target port', async () => {
    expect(() => proxy.cut('sometimes' as never)).toThrow(RangeError);
    await expect(TcpProxy.start({ targetHost: '127.0.0.1', targetPort: 0 })).rejects.toThrow(RangeError);
  });

  it('fronts a real server by URL: Redis answers PING through it, not during a cut, and again after restore', async () => {
    const redisProxy = await TcpProxy.forUrl(testRedisUrl());
    try {
      const url = new URL(redisProxy.urlFor(testRedisUrl()));
      expect(url.hostname).toBe('127.0.0.1');
      expect(Number(url.port)).toBe(redisProxy.port);
      const ping = async () => {
        const c = new Client(redisProxy.port);
        clients.push(c);
        c.write('PING\r\n');
        await waitFor(() => c.received.length > 0 || c.closed, { message: 'an answer or a close' });
        c.destroy();
        return c.received.toString();
      };
      expect(await ping()).toBe('+PONG\r\n');
      redisProxy.cut('refuse');
      expect(await ping()).toBe('');
      redisProxy.restore();
      expect(await ping()).toBe('+PONG\r\n');
    } finally {
      await redisProxy.close();
    }
  });
});
