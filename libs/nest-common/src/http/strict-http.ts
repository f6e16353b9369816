import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ValidationError } from '@pulse/core';

/** The answer to a request refused before any handler: status, message and the part that is wrong. */
export interface RefusalBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly field: string;
}

export interface StrictAdapterOptions {
  /** Largest request body, in bytes. */
  readonly bodyLimit: number;
  /** Longest path segment the router takes (a longer one is a 414 naming the path). */
  readonly maxParamLength: number;
}

/**
 * A Fastify adapter whose router refusals name what is wrong, like the handlers' own 400s: a path that
 * is not percent-encoded UTF-8 (the only way a lone surrogate can be sent in one) is a 400 naming the
 * path, a segment longer than maxParamLength a 414.
 */
export function strictFastifyAdapter(options: StrictAdapterOptions): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: options.bodyLimit,
    routerOptions: { maxParamLength: options.maxParamLength },
    // Fastify's reply, typed by what is used of it (its generic type is not this function's to name)
    frameworkErrors: (
      error: { readonly code: string; readonly message: string },
      _request: unknown,
      reply: unknown,
    ) => {
      const body = routingRefusal(error, options.maxParamLength);
      void (reply as { code(status: number): { send(body: RefusalBody): unknown } }).code(body.statusCode).send(body);
    },
  });
}

function routingRefusal(
  error: { readonly code: string; readonly message: string },
  maxParamLength: number,
): RefusalBody {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return {
      statusCode: 414,
      error: 'URI Too Long',
      message: `a path segment is longer than ${maxParamLength} characters`,
      field: 'path',
    };
  return {
    statusCode: 400,
    error: 'Bad Request',
    message: error.code === 'FST_ERR_BAD_URL' ? 'the path is not valid percent-encoded UTF-8' : error.message,
    field: 'path',
  };
}

/**
 * Request bodies are JSON only (create the app with `bodyParser: false`). Fastify's text/plain and
 * Nest's urlencoded parsers are left out, so a body of another type is Fastify's 415 rather than a
 * string a handler misreads; the body is decoded as strict UTF-8 (a lenient decoding would turn
 * invalid bytes into U+FFFD); an empty or unreadable JSON body is a ValidationError naming the body.
 */
export function readJsonBodiesOnly(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, raw, done) => {
    let body: string;
    try {
      body = utf8.decode(raw as Buffer);
    } catch {
      done(new ValidationError('the body is not valid UTF-8', { field: 'body' }), undefined);
      return;
    }
    if (body.length === 0) {
      done(new ValidationError('the body is empty; a JSON document is expected', { field: 'body' }), undefined);
      return;
    }
    parseJson(request, body, (error, value) => {
      // Fastify's error says no more than this (nor which); __proto__ keys are refused as well.
      if (error)
        done(
          new ValidationError('the body is not valid JSON (or holds a __proto__ or constructor.prototype key)', {
            field: 'body',
            cause: error,
          }),
          undefined,
        );
      else done(null, value);
    });
  });
}
