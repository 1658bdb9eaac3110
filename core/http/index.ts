export { createApi, API_DEFAULTS, CORRELATION_HEADER } from './createApi';
export type { ApiDependencies, ApiOptions } from './createApi';
export { toProblem, problemFor, PROBLEM_CONTENT_TYPE } from './problemDetails';
export type { ProblemDocument, ProblemContext } from './problemDetails';
export { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
export type { HttpErrorCode } from './HttpErrors';
export { readJsonBody } from './readJsonBody';
export { parseOrderListQuery, ORDER_STATUSES, ORDER_LIST_QUERY_DEFAULTS } from './orderListQuery';
