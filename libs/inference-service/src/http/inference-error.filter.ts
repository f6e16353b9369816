import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter, type HttpServer } from '@nestjs/common';
import { ValidationError } from '@pulse/core';
import { UnknownModelError } from '../serving/predictor.service';

/** Bad input: 400 naming the field; a model not served here: 404. Anything else is Nest's to answer. */
@Catch(ValidationError, UnknownModelError)
export class InferenceErrorFilter implements ExceptionFilter {
  constructor(private readonly http: Pick<HttpServer, 'reply'>) {}

  catch(error: Error, host: ArgumentsHost): void {
    const body =
      error instanceof ValidationError
        ? {
            statusCode: HttpStatus.BAD_REQUEST,
            error: 'Bad Request',
            message: error.message,
            ...(error.field ? { field: error.field } : {}),
          }
        : { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found', message: error.message, field: 'model' };
    this.http.reply(host.switchToHttp().getResponse(), body, body.statusCode);
  }
}
