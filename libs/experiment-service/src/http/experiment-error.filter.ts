import { Catch, HttpException, HttpStatus, type ArgumentsHost, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { DefinitionError, ValidationError } from '@pulse/core';
import { ExperimentExistsError, ExperimentNotFoundError, ExperimentVersionConflictError } from '@pulse/storage';

/**
 * Bad input or a definition that does not hold: 400 naming the field; an unknown experiment: 404; a
 * key that exists or a stale expectedVersion: 409; Fastify's refusals of a body name the body.
 */
@Catch(
  ValidationError,
  DefinitionError,
  ExperimentNotFoundError,
  ExperimentExistsError,
  ExperimentVersionConflictError,
  HttpException,
)
export class ExperimentErrorFilter extends BaseExceptionFilter {
  constructor(private readonly http: HttpServer) {
    super(http);
  }

  override catch(error: Error, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse();
    const reply = (statusCode: number, err: string, field?: string) =>
      this.http.reply(
        response,
        { statusCode, error: err, message: error.message, ...(field ? { field } : {}) },
        statusCode,
      );
    if (error instanceof ValidationError) return reply(400, 'Bad Request', error.field);
    // `experiment "k" weights` → weights; `namespace "n"` → namespace
    if (error instanceof DefinitionError)
      return reply(400, 'Bad Request', error.definition.replace(/^experiment "[^"]*" /, '').replace(/ ".*$/, ''));
    if (error instanceof ExperimentNotFoundError) return reply(404, 'Not Found', 'key');
    if (error instanceof ExperimentExistsError) return reply(409, 'Conflict', 'key');
    if (error instanceof ExperimentVersionConflictError) return reply(409, 'Conflict', 'expectedVersion');
    if (error instanceof HttpException && typeof error.getResponse() === 'string') {
      const status = error.getStatus();
      if (status === HttpStatus.BAD_REQUEST) return reply(400, 'Bad Request', 'body');
      if (status === HttpStatus.PAYLOAD_TOO_LARGE) return reply(413, 'Payload Too Large', 'body');
      if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE) return reply(415, 'Unsupported Media Type', 'content-type');
    }
    return super.catch(error, host);
  }
}
