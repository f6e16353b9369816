import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, type HttpServer } from '@nestjs/common';
import { ValidationError } from '@pulse/core';

/** Bad input -> HTTP 400 naming the field. */
@Catch(ValidationError)
export class ValidationErrorFilter implements ExceptionFilter {
  constructor(private readonly http: Pick<HttpServer, 'reply'>) {}

  catch(error: ValidationError, host: ArgumentsHost): void {
    const body = { statusCode: 400, error: 'Bad Request', message: error.message, ...(error.field ? { field: error.field } : {}) };
    this.http.reply(host.switchToHttp().getResponse(), body, HttpStatus.BAD_REQUEST);
  }
}
