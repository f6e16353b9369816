import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter, type HttpServer } from '@nestjs/common';
import { ValidationError } from '@pulse/core';
import { AliasConflictError, JobNotFoundError, ModelNotFoundError, VersionNotFoundError } from '@pulse/storage';
import { UnknownModelError } from '../jobs/training-requests';

/** The answer to what a caller can fix: status, message and, when known, the field. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly field?: string;
  readonly [key: string]: unknown;
}

/**
 * The service's errors as HTTP answers: bad input 400 naming the field, what does not exist 404, a
 * lost compare-and-set 409 with what the alias holds; anything else is Nest's to answer.
 */
@Catch(
  ValidationError,
  ModelNotFoundError,
  VersionNotFoundError,
  JobNotFoundError,
  UnknownModelError,
  AliasConflictError,
)
export class TrainingServiceErrorFilter implements ExceptionFilter {
  constructor(private readonly http: Pick<HttpServer, 'reply'>) {}

  catch(error: Error, host: ArgumentsHost): void {
    const body = errorBody(error);
    this.http.reply(host.switchToHttp().getResponse(), body, body.statusCode);
  }
}

export function errorBody(error: Error): ErrorBody {
  if (error instanceof ValidationError)
    return {
      statusCode: HttpStatus.BAD_REQUEST,
      error: 'Bad Request',
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
    };
  if (error instanceof AliasConflictError)
    return {
      statusCode: HttpStatus.CONFLICT,
      error: 'Conflict',
      message: error.message,
      expectedVersion: error.expectedVersion,
      actualVersion: error.actualVersion,
    };
  return { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found', message: error.message };
}
