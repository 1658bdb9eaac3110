import type { AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement, StreamSpecification } from '@aws-sdk/client-dynamodb';

/**
 * A DynamoDB table as Nexus declares it, in the property names that CloudFormation's
 * `AWS::DynamoDB::Table` and the SDK's `CreateTable` share, so that serverless.yml resources and
 * the tests' create-table helper read the same constant. The table name is not part of it: it is
 * configuration (one per stage, one per test).
 */
export interface DynamoDbTableDefinition {
  readonly AttributeDefinitions: readonly AttributeDefinition[];
  readonly KeySchema: readonly KeySchemaElement[];
  readonly GlobalSecondaryIndexes?: readonly GlobalSecondaryIndex[];
  /** DynamoDB TTL: items whose attribute (epoch seconds) is in the past are deleted, lazily (up to days late). */
  readonly TimeToLiveSpecification?: { readonly AttributeName: string; readonly Enabled: true };
  readonly StreamSpecification?: StreamSpecification;
}
