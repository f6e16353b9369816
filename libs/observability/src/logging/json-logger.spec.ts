import { ConfigError } from '@pulse/core';
import { createLogger, parseLogLevel, type LoggerOptions } from './json-logger';

const NOW = new Date('2024-05-01T12:00:00.000Z');

function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const logger = createLogger('feature-service', {
    level: 'info',
    now: () => NOW,
    sink: (l) => lines.push(l),
    ...options,
  });
  const records = () => lines.map((l) => JSON.parse(l));
  return { logger, lines, records };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with time, level, logger and message', () => {
    const { logger, lines, records } = capture();
    logger.info('batch applied', { events: 500, partition: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
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

  it('takes its level from LOG_LEVEL when not given one', () => {
    const before = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'debug';
    try {
      const lines: string[] = [];
      const logger = createLogger('x', { sink: (l) => lines.push(l) });
      logger.debug('shown');
      logger.verbose('hidden');
      expect(lines).toHaveLength(1);
    } finally {
      if (before === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = before;
    }
  });

  it('serialises errors with their name, message, stack and cause', () => {
    const { logger, records } = capture();
    logger.error('append failed', new Error('outer', { cause: new Error('inner') }));
    const r = records()[0];
    expect(r.msg).toBe('append failed');
    expect(r.err.message).toBe('outer');
    expect(r.err.stack).toContain('Error: outer');
    expect(r.err.cause.message).toBe('inner');
  });

  it('redacts secret-looking fields and passwords inside URLs', () => {
    const { logger, lines } = capture();
    logger.info('connecting to postgres://pulse:hunter2@db:5432/pulse', {
      password: 'hunter2',
      nested: { apiKey: 'k-123', token: 't', url: 'redis://default:s3cret@redis:6379' },
    });
    expect(lines[0]).not.toMatch(/hunter2|k-123|s3cret|"t"/);
    expect(JSON.parse(lines[0])).toMatchObject({
      msg: 'connecting to postgres://pulse:***@db:5432/pulse',
      password: '[redacted]',
      nested: { apiKey: '[redacted]', token: '[redacted]', url: 'redis://default:***@redis:6379' },
    });
  });

  it('carries child bindings on every record', () => {
    const { logger, records } = capture();
    logger.child({ partition: 4 }).child({ topic: 't' }).info('x');
    expect(records()[0]).toMatchObject({ partition: 4, topic: 't', msg: 'x' });
  });

  it('understands the calls Nest makes: trailing context, and stack then context for errors', () => {
    const { logger, records } = capture();
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.error('Unhandled', 'Error: x\n    at y', 'ExceptionsHandler');
    logger.warn({ some: 'object' }, 'Ctx');
    expect(records()).toMatchObject([
      { level: 'info', msg: 'Mapped {/health, GET} route', context: 'RouterExplorer' },
      { level: 'error', msg: 'Unhandled', stack: 'Error: x\n    at y', context: 'ExceptionsHandler' },
      { level: 'warn', msg: '', data: { some: 'object' }, context: 'Ctx' },
    ]);
  });

  it('follows the levels Nest sets', () => {
    const { logger, records } = capture({ level: 'verbose' });
    logger.setLogLevels(['error', 'log']);
    logger.warn('hidden');
    logger.log('shown');
    logger.error('shown');
    expect(records().map((r) => r.level)).toEqual(['info', 'error']);
  });

  it('survives a circular field', () => {
    const { logger, records } = capture();
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    logger.info('loop', { loop });
    expect(records()[0].loop).toEqual({ a: 1, self: '[truncated]' });
  });
});

describe('parseLogLevel', () => {
  it.each([
    ['info', 'info'],
    ['LOG', 'info'],
    [' Debug ', 'debug'],
    ['trace', 'verbose'],
    ['fatal', 'fatal'],
  ])('%p -> %p', (raw, level) => expect(parseLogLevel(raw)).toBe(level));

  it('rejects an unknown level with a ConfigError naming LOG_LEVEL', () => {
    expect(() => parseLogLevel('loud')).toThrow(ConfigError);
    expect(() => parseLogLevel('loud')).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, verbose, got "loud"',
    );
  });
});
