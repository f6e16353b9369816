import {
  applyDecorators,
  createParamDecorator,
  HttpException,
  Inject,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ANONYMOUS_ACTOR, authorizeChange, type ApiTokens } from './api-tokens';

/** The injection token of the service's ApiTokens (null: tokens are off), which AdminGuard checks. */
export const API_TOKENS = Symbol('API_TOKENS');

interface Request {
  headers: Record<string, string | string[] | undefined>;
  pulseActor?: string;
}

interface Reply {
  header(name: string, value: string): unknown;
}

/** The Nest side of authorizeChange: refuses with 401/403 (and the challenge), or records the actor. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(API_TOKENS) private readonly tokens: ApiTokens | null) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const header = request.headers.authorization;
    const decision = authorizeChange(this.tokens, Array.isArray(header) ? header[0] : header);
    if (decision.allowed) {
      request.pulseActor = decision.actor;
      return true;
    }
    http.getResponse<Reply>().header('WWW-Authenticate', decision.challenge);
    const error = decision.status === 401 ? 'Unauthorized' : 'Forbidden';
    throw new HttpException({ statusCode: decision.status, error, message: decision.message }, decision.status);
  }
}

/** A route that changes things: an admin token when PULSE_API_TOKENS is set. */
export const AdminOnly = () =>
  applyDecorators(
    UseGuards(AdminGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'no or an unknown bearer token (PULSE_API_TOKENS is set)' }),
    ApiForbiddenResponse({ description: 'a read-only token' }),
  );

/** Who is acting: the token's name, or `anonymous` when tokens are off. */
export const Actor = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<Request>().pulseActor ?? ANONYMOUS_ACTOR,
);
