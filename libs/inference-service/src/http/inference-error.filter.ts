import { Catch, HttpException, HttpStatus, type ArgumentsHost, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ValidationError } from '@pulse/core';
import { UnknownModelError } from '../serving/predictor.service';
import { unsupportedMediaTypeBody } from './json-body.guard';

/**
 * Bad input: 400 naming the field; a model not served here: 404. The server's own refusals of a body,
 * before any handler (empty, not JSON, too large, of a type it has no parser for), name the body or
 * the content-type too. Any other error is answered as Nest answers it.
 */
@Catch(ValidationError, UnknownModelError, HttpException)
export class InferenceErrorFilter extends BaseExceptionFilter {
  constructor(private readonly http: HttpServer) {
    super(http);
  }

  override catch(error: Error, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    if (error instanceof ValidationError) {
      const body = {
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: error.message,
        ...(error.field ? { field: error.field } : {}),
      };
      this.http.reply(http.getResponse(), body, body.statusCode);
      return;
    }
    if (error instanceof UnknownModelError) {
      const body = { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found', message: error.message, field: 'model' };
      this.http.reply(http.getResponse(), body, body.statusCode);
      return;
    }
    const body = error instanceof HttpException ? bodyRefusal(error, http.getRequest()) : undefined;
    if (body === undefined) return super.catch(error, host);
    this.http.reply(http.getResponse(), body, body.statusCode);
  }
}

/**
 * The answer to Fastify's refusal of a request body (Nest hands it on as an HttpException whose
 * response is Fastify's bare message), naming what was wrong; undefined for any other HttpException.
 */
function bodyRefusal(
  error: HttpException,
  request: { headers: Record<string, string | string[] | undefined> },
): { statusCode: number; error: string; message: string; field: string } | undefined {
  if (typeof error.getResponse() !== 'string') return undefined;
  switch (error.getStatus()) {
    case HttpStatus.BAD_REQUEST:
      return { statusCode: 400, error: 'Bad Request', message: error.message, field: 'body' };
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return { statusCode: 413, error: 'Payload Too Large', message: error.message, field: 'body' };
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE: {
      const raw = request.headers['content-type'];
      return unsupportedMediaTypeBody(Array.isArray(raw) ? raw.join(', ') : raw);
    }
    default:
      return undefined;
  }
}
