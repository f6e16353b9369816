import { ConfigError } from '@pulse/core';
import { createLogger, parseLogLevel, redactLine, type LoggerOptions } from './logger';

const NOW = new Date('2024-05-01T12:00:00.000Z');

function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const logger = createLogger('feature-service', {
    level: 'info',
    now: () => NOW,
    destination: { write: (l: string) => void lines.push(l) },
    ...options,
  });
  const records = () => lines.map((l) => JSON.parse(l));
  return { logger, lines, records };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, logger, fields and message', () => {
    const { logger, lines, records } = capture();
    logger.info({ events: 500, partition: 2 }, 'batch applied');
    expect(lines).toHaveLength(1);
    expect(lines[0].trimEnd()).not.toContain('\n');
    expect(records()[0]).toEqual({
      time: '2024-05-01T12:00:00.000Z',
      level: 'info',
      logger: 'feature-service',
      msg: 'batch applied',
      events: 500,
      partition: 2,
    });
  });

  it('drops records more verbose than its level', () => {
    const { logger, records } = capture({ level: 'warn' });
    logger.info('no');
    logger.debug('no');
    logger.warn('yes');
    logger.error('yes');
    expect(records().map((r) => r.level)).toEqual(['warn', 'error']);
  });

  it('takes its level from LOG_LEVEL when not given one, and names LOG_LEVEL when it is wrong', () => {
    const before = process.env.LOG_LEVEL;
    try {
      process.env.LOG_LEVEL = 'debug';
      const lines: string[] = [];
      const logger = createLogger('x', { destination: { write: (l: string) => void lines.push(l) } });
      logger.debug('shown');
      logger.trace('hidden');
      expect(lines).toHaveLength(1);
      process.env.LOG_LEVEL = 'loud';
      expect(() => createLogger('x')).toThrow(ConfigError);
    } finally {
      if (before === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = before;
    }
  });

  it('serialises errors with their type, message, stack and cause', () => {
    const { logger, records } = capture();
    logger.error(new Error('outer', { cause: new Error('inner') }), 'append failed');
    const r = records()[0];
    expect(r.msg).toBe('append failed');
    expect(r.err).toMatchObject({ type: 'Error', message: 'outer', cause: { message: 'inner' } });
    expect(r.err.stack).toContain('Error: outer');
  });

  it('redacts secret-looking fields and passwords inside URLs, in messages, fields and bindings', () => {
    const { logger, lines } = capture({ bindings: { dbPassword: 'b1nd' } });
    logger.child({ session: { cookie: 'c00kie' } }).info(
      {
        password: 'hunter2',
        nested: { apiKey: 'k-123', token: 't', url: 'redis://default:s3cret@redis:6379', list: [{ secret: 'x' }] },
      },
      'connecting to postgres://pulse:hunter2@db:5432/pulse',
    );
    expect(lines[0]).not.toMatch(/hunter2|k-123|s3cret|"t"|b1nd|c00kie|"x"/);
    expect(JSON.parse(lines[0])).toMatchObject({
      msg: 'connecting to postgres://pulse:***@db:5432/pulse',
      password: '[redacted]',
      dbPassword: '[redacted]',
      session: { cookie: '[redacted]' },
      nested: {
        apiKey: '[redacted]',
        token: '[redacted]',
        url: 'redis://default:***@redis:6379',
        list: [{ secret: '[redacted]' }],
      },
    });
  });

  it('leaves a line without secrets as pino wrote it', () => {
    const line = '{"level":"info","msg":"see https://example.com/a@b"}\n';
    expect(redactLine('{"level":"info","msg":"plain"}\n')).toBe('{"level":"info","msg":"plain"}\n');
    expect(redactLine(line)).toBe('{"level":"info","msg":"see https://example.com/a@b"}\n');
  });

  it('carries child bindings on every record', () => {
    const { logger, records } = capture();
    logger.child({ partition: 4 }).child({ topic: 't' }).info('x');
    expect(records()[0]).toMatchObject({ partition: 4, topic: 't', msg: 'x', logger: 'feature-service' });
  });

  it('survives a circular field', () => {
    const { logger, records } = capture();
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    logger.info({ loop }, 'loop');
    expect(records()[0].loop).toEqual({ a: 1, self: '[Circular]' });
  });
});

describe('parseLogLevel', () => {
  it.each([
    ['info', 'info'],
    ['LOG', 'info'],
    [' Debug ', 'debug'],
    ['verbose', 'trace'],
    ['trace', 'trace'],
    ['warning', 'warn'],
    ['fatal', 'fatal'],
    ['silent', 'silent'],
  ])('%p -> %p', (raw, level) => expect(parseLogLevel(raw)).toBe(level));

  it('rejects an unknown level with a ConfigError naming the variable', () => {
    expect(() => parseLogLevel('loud')).toThrow(ConfigError);
    expect(() => parseLogLevel('loud')).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace or silent, got "loud"',
    );
    expect(() => parseLogLevel('loud', 'PULSE_LOG_LEVEL')).toThrow(/^PULSE_LOG_LEVEL must be/);
  });
});
