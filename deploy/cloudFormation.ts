/**
 * CloudFormation values as plain JSON objects: serverless.yml takes the template's pieces through
 * `${file(...)}`, so intrinsic functions are written in their JSON form (`{ Ref: ... }`), never
 * as YAML tags.
 */

/** A value of a template: a literal, an intrinsic function, or a structure of them. */
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };

/** One resource of the template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  DependsOn?: string | string[];
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
}

/** Resources by logical id. */
export type CfnResources = Record<string, CfnResource>;

/** `{ Ref: logicalId }`: a resource's Ref value (its name, ARN or id, per type) or a pseudo parameter. */
export function ref(logicalId: string): { Ref: string } {
  return { Ref: logicalId };
}

/** `{ 'Fn::GetAtt': [logicalId, attribute] }`. */
export function getAtt(logicalId: string, attribute: string): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId, attribute] };
}

/** `{ 'Fn::Sub': text }`: `${AWS::Region}`, `${Resource}` and `${Resource.Attribute}` resolved by CloudFormation. */
export function sub(text: string): { 'Fn::Sub': string } {
  return { 'Fn::Sub': text };
}

/** `{ 'Fn::Join': [separator, parts] }`. */
export function join(separator: string, parts: CfnValue[]): { 'Fn::Join': [string, CfnValue[]] } {
  return { 'Fn::Join': [separator, parts] };
}

/** The ARN prefix of a service in this stack's partition, region and account: `arn:aws:dynamodb:eu-west-1:123456789012:`. */
export function arnPrefix(service: string): string {
  return `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:`;
}
