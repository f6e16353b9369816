import { applyDecorators, Catch, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC exception filter replaces any error by `{ status: 'error', message }`, losing
 * whether it is retriable. This filter passes the handler's error through untouched, so BusServer can
 * retry retriable errors and fail the subscription on the others.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** `@EventPattern(topic)` with BusExceptionFilter: the way to declare a batch handler for a topic. */
export function BusHandler(topic: string): MethodDecorator {
  return applyDecorators(EventPattern(topic), UseFilters(new BusExceptionFilter()));
}
