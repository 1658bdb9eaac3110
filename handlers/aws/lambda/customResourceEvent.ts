/**
 * The request half of the CloudFormation custom resource protocol: the event CloudFormation
 * invokes the function with, checked field by field, so a malformed one is answered FAILED with
 * the field named instead of failing somewhere inside the resource's work.
 */
import { NexusError } from '../../../core/errors/NexusError';

/** Error code of {@link MalformedCustomResourceEventError}. */
export const MALFORMED_CUSTOM_RESOURCE_EVENT = 'MALFORMED_CUSTOM_RESOURCE_EVENT';

/** An invocation event that is not a CloudFormation custom resource request; names the field. */
export class MalformedCustomResourceEventError extends NexusError {
  constructor(field: string, problem: string) {
    super(MALFORMED_CUSTOM_RESOURCE_EVENT, `custom resource event field ${field} ${problem}`, { details: { field } });
  }
}

/** What CloudFormation asks of a custom resource. */
export type CustomResourceRequestType = 'Create' | 'Update' | 'Delete';

const REQUEST_TYPES: readonly string[] = ['Create', 'Update', 'Delete'] satisfies CustomResourceRequestType[];

/** A custom resource request, checked. */
export interface CustomResourceRequest {
  requestType: CustomResourceRequestType;
  /** The pre-signed URL the response is PUT to. */
  responseUrl: string;
  stackId: string;
  requestId: string;
  logicalResourceId: string;
  resourceType: string;
  /** The id the resource answered last time; absent on Create. */
  physicalResourceId?: string;
  /** The resource's properties as CloudFormation sends them (scalars arrive as strings), ServiceToken included. */
  properties: Readonly<Record<string, unknown>>;
  /** On Update, the properties before it (on a rollback: the ones that failed). */
  oldProperties?: Readonly<Record<string, unknown>>;
}

/** The fields a response echoes, taken from whatever the event holds (empty when absent). */
export interface CustomResourceEcho {
  stackId: string;
  requestId: string;
  logicalResourceId: string;
  physicalResourceId?: string;
}

/**
 * The event's pre-signed response URL, or undefined when it has none that can be answered: such
 * an event did not come from CloudFormation, and nothing waits for an answer.
 */
export function responseUrlOf(event: unknown): string | undefined {
  const url = fieldsOf(event)?.ResponseURL;
  return typeof url === 'string' && /^https?:\/\//.test(url) ? url : undefined;
}

/** The identifiers a response must echo, as far as the event holds them. */
export function echoOf(event: unknown): CustomResourceEcho {
  const fields = fieldsOf(event) ?? {};
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const physicalResourceId = text(fields.PhysicalResourceId);
  return {
    stackId: text(fields.StackId),
    requestId: text(fields.RequestId),
    logicalResourceId: text(fields.LogicalResourceId),
    ...(physicalResourceId === '' ? {} : { physicalResourceId }),
  };
}

/**
 * Checks a custom resource event. Throws {@link MalformedCustomResourceEventError} naming the first
 * field that is missing or of the wrong kind: RequestType (Create, Update or Delete), ResponseURL,
 * StackId, RequestId, LogicalResourceId, ResourceType, ResourceProperties, and PhysicalResourceId
 * on Update and Delete, OldResourceProperties on Update.
 *
 * @example parseCustomResourceEvent(event).requestType // 'Create'
 */
export function parseCustomResourceEvent(event: unknown): CustomResourceRequest {
  const fields = fieldsOf(event);
  if (fields === undefined) throw new MalformedCustomResourceEventError('(event)', 'must be an object');
  const requestType = fields.RequestType;
  if (typeof requestType !== 'string' || !REQUEST_TYPES.includes(requestType)) {
    throw new MalformedCustomResourceEventError('RequestType', `must be one of ${REQUEST_TYPES.join(', ')}; got ${JSON.stringify(requestType) ?? 'nothing'}`);
  }
  const responseUrl = responseUrlOf(event);
  if (responseUrl === undefined) throw new MalformedCustomResourceEventError('ResponseURL', 'must be an http(s) URL');
  const needsPhysicalId = requestType !== 'Create';
  return {
    requestType: requestType as CustomResourceRequestType,
    responseUrl,
    stackId: text(fields, 'StackId'),
    requestId: text(fields, 'RequestId'),
    logicalResourceId: text(fields, 'LogicalResourceId'),
    resourceType: text(fields, 'ResourceType'),
    ...(needsPhysicalId ? { physicalResourceId: text(fields, 'PhysicalResourceId') } : {}),
    properties: object(fields, 'ResourceProperties'),
    ...(requestType === 'Update' ? { oldProperties: object(fields, 'OldResourceProperties') } : {}),
  };
}

function fieldsOf(event: unknown): Record<string, unknown> | undefined {
  return typeof event === 'object' && event !== null && !Array.isArray(event) ? (event as Record<string, unknown>) : undefined;
}

function text(fields: Record<string, unknown>, field: string): string {
  const value = fields[field];
  if (typeof value !== 'string' || value === '') throw new MalformedCustomResourceEventError(field, 'must be a non-empty string');
  return value;
}

function object(fields: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = fieldsOf(fields[field]);
  if (value === undefined) throw new MalformedCustomResourceEventError(field, 'must be an object');
  return value;
}
