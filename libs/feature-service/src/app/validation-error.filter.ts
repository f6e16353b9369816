import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ValidationError } from '@pulse/core';

/** The content types of the request bodies the API reads (every body is JSON). */
export const BODY_CONTENT_TYPES: readonly string[] = ['application/json'];

/** The answer to bad input: status, message and, when known, the offending field. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly field?: string;
}

export function badRequestBody(message: string, field: string | undefined): ErrorBody {
  return { statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request', message, ...(field ? { field } : {}) };
}

/** The 415 answer to a body of a type the API does not read: it names the header and what to send. */
export function unsupportedMediaTypeBody(
  contentType: string | undefined,
): ErrorBody & { readonly expected: readonly string[] } {
  const expected = BODY_CONTENT_TYPES.join(' or ');
  const message =
    contentType === undefined
      ? `the body has no content-type; send ${expected}`
      : `content-type ${JSON.stringify(contentType.slice(0, 100))} is not accepted; send ${expected}`;
  return {
    statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    error: 'Unsupported Media Type',
    message,
    field: 'content-type',
    expected: BODY_CONTENT_TYPES,
  };
}

/** Bad input -> HTTP 400 naming the field. */
@Catch(ValidationError)
export class ValidationErrorFilter implements ExceptionFilter {
  constructor(private readonly http: Pick<HttpServer, 'reply'>) {}

  catch(error: ValidationError, host: ArgumentsHost): void {
    this.http.reply(
      host.switchToHttp().getResponse(),
      badRequestBody(error.message, error.field),
      HttpStatus.BAD_REQUEST,
    );
  }
}

/**
 * A body of a type the API does not read, refused by Fastify before any handler with a bare "Unsupported
 * Media Type" -> 415 naming the content-type header and the types to send; any other HTTP error is
 * answered as Nest answers it.
 */
@Catch(HttpException)
export class UnsupportedMediaTypeFilter extends BaseExceptionFilter {
  constructor(private readonly http: HttpServer) {
    super(http);
  }

  override catch(error: HttpException, host: ArgumentsHost): void {
    if (error.getStatus() !== HttpStatus.UNSUPPORTED_MEDIA_TYPE) return super.catch(error, host);
    const http = host.switchToHttp();
    const contentType = http.getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers[
      'content-type'
    ];
    this.http.reply(
      http.getResponse(),
      unsupportedMediaTypeBody(Array.isArray(contentType) ? contentType.join(', ') : contentType),
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
}
