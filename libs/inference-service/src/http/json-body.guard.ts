import { HttpException, HttpStatus, type CanActivate, type ExecutionContext } from '@nestjs/common';

/** The content types of the request bodies the API reads (every body is JSON). */
export const BODY_CONTENT_TYPES: readonly string[] = ['application/json'];

/** The 415 answer to a body of a type the API does not read: it names the header and what to send. */
export function unsupportedMediaTypeBody(contentType: string | undefined): {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly field: 'content-type';
  readonly expected: readonly string[];
} {
  const expected = BODY_CONTENT_TYPES.join(' or ');
  return {
    statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    error: 'Unsupported Media Type',
    message:
      contentType === undefined
        ? `the body has no content-type; send ${expected}`
        : `content-type ${JSON.stringify(contentType.slice(0, 100))} is not accepted; send ${expected}`,
    field: 'content-type',
    expected: BODY_CONTENT_TYPES,
  };
}

/**
 * JSON bodies only. The server also parses text/plain and form bodies (into a string, into an object),
 * which a handler would misread as a malformed or even a valid request: those are a 415 naming the
 * content-type. A request without a content-type has no body Fastify read (it refuses a body without one).
 */
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const headers = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers;
    const raw = headers['content-type'];
    const type = Array.isArray(raw) ? raw.join(', ') : raw;
    if (type === undefined) return true;
    const media = type.split(';', 1)[0].trim().toLowerCase();
    if (BODY_CONTENT_TYPES.includes(media)) return true;
    throw new HttpException(unsupportedMediaTypeBody(type), HttpStatus.UNSUPPORTED_MEDIA_TYPE);
  }
}
