import { Catch, type ArgumentsHost, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ValidationError } from '@pulse/core';

/** Bad input: 400 naming the field. Anything else as Nest answers it. */
@Catch(ValidationError)
export class MonitoringErrorFilter extends BaseExceptionFilter {
  constructor(private readonly http: HttpServer) {
    super(http);
  }

  override catch(error: ValidationError, host: ArgumentsHost): void {
    const body = {
      statusCode: 400,
      error: 'Bad Request',
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
    };
    this.http.reply(host.switchToHttp().getResponse(), body, 400);
  }
}
