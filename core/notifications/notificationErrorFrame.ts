import { toProblem } from '../http/problemDetails';
import type { ErrorFrame } from './NotificationProtocol';

/**
 * The `error` frame of a refused frame or subscription: the status, code, message (the problem's
 * detail) and field a problem+json answer to the same request would carry, through the HTTP
 * layer's one mapping (core/http/problemDetails.ts). An unknown error is a 500 `INTERNAL`
 * without its message: the caller logs it.
 */
export function notificationErrorFrame(error: unknown, correlationId: string, subscriptionId?: string): ErrorFrame {
  const problem = toProblem(error, { correlationId, instance: '/ws' });
  const named = subscriptionId ?? subscriptionIdOf(error);
  return {
    type: 'error',
    ...(named === undefined ? {} : { subscriptionId: named }),
    status: problem.status,
    code: problem.code,
    message: problem.detail,
    ...(problem.field === undefined ? {} : { field: problem.field }),
  };
}

function subscriptionIdOf(error: unknown): string | undefined {
  const details = (error as { details?: { subscriptionId?: unknown } } | null)?.details;
  return typeof details?.subscriptionId === 'string' ? details.subscriptionId : undefined;
}
