import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { ValidationError } from '@pulse/core';

/** Bad input -> HTTP 400 naming the field. */
@Catch(ValidationError)
export class ValidationErrorFilter implements ExceptionFilter {
  catch(error: ValidationError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    res.status(HttpStatus.BAD_REQUEST).json({ statusCode: 400, error: 'Bad Request', message: error.message, ...(error.field ? { field: error.field } : {}) });
  }
}
