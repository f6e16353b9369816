import { createHash } from 'node:crypto';
import { Command } from 'ioredis';

/**
 * A Redis command whose wire bytes (RESP) the caller wrote, sent as they are: ioredis copies every
 * argument of a command into a new buffer of its own when it writes it, which for a batch of states
 * (megabytes) costs a copy into fresh memory per batch. The caller keeps the bytes unchanged until
 * the command settles (ioredis writes them later if it is not connected yet, and again after a
 * reconnection).
 */
class FramedCommand extends Command {
  constructor(
    name: string,
    private readonly frame: Buffer,
  ) {
    super(name, []);
  }

  override toWritable(): Buffer {
    return this.frame;
  }
}

/** A Lua script run by EVALSHA with arguments the caller frames (no keys), loaded by EVAL when Redis does not know it. */
export class FramedScript {
  private readonly sha: string;
  private readonly evalHead: Buffer;

  constructor(
    private readonly lua: string,
    private readonly argCount: number,
  ) {
    if (!Number.isInteger(argCount) || argCount < 0)
      throw new RangeError(`argCount must be a non-negative integer, got ${argCount}`);
    this.sha = createHash('sha1').update(lua).digest('hex');
    this.evalHead = Buffer.from(
      `*${argCount + 3}\r\n$4\r\neval\r\n$${Buffer.byteLength(lua)}\r\n${lua}\r\n$1\r\n0\r\n`,
    );
  }

  /** What comes before the arguments: the caller writes it, then `argCount` bulk strings (see bulk()). */
  get head(): string {
    return `*${this.argCount + 3}\r\n$7\r\nevalsha\r\n$40\r\n${this.sha}\r\n$1\r\n0\r\n`;
  }

  /** Runs the script; `frame` is head + the arguments, unchanged until the returned promise settles. */
  async run(redis: { sendCommand(command: Command): unknown }, frame: Buffer): Promise<unknown> {
    try {
      return await redis.sendCommand(new FramedCommand('evalsha', frame));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      // Redis restarted or its scripts were flushed: EVAL loads it again (a copy, but a rare one).
      const args = frame.subarray(Buffer.byteLength(this.head));
      return await redis.sendCommand(new FramedCommand('eval', Buffer.concat([this.evalHead, args])));
    }
  }
}

/** One RESP bulk string. */
export function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}
