/**
 * The parts of an OpenAPI 3.1 document that Nexus generates (https://spec.openapis.org/oas/v3.1.0).
 * Schemas are JSON Schema 2020-12, the dialect OpenAPI 3.1 uses.
 */

/** A JSON Schema (2020-12) object, as far as the generated document uses it. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null' | ReadonlyArray<'string' | 'number' | 'integer' | 'boolean' | 'null'>;
  description?: string;
  format?: string;
  enum?: readonly (string | number | boolean)[];
  const?: string | number | boolean;
  default?: string | number | boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  $ref?: string;
  allOf?: readonly JsonSchema[];
  examples?: readonly unknown[];
}

/** A query, path or header parameter. */
export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

/** One response of an operation, or a `$ref` to a shared one. */
export type OpenApiResponse =
  | { description: string; headers?: Record<string, { description: string; schema: JsonSchema }>; content?: Record<string, { schema: JsonSchema }> }
  | { $ref: string };

/** One operation: a method on a path. */
export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, OpenApiResponse>;
  /** `[]`: no token needed; otherwise the bearer JWT. */
  security: Record<string, string[]>[];
}

/** The HTTP methods the document uses, in OpenAPI's lower case. */
export type OpenApiMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Path -> method -> operation. Paths use `{name}` templates. */
export type OpenApiPaths = Record<string, Partial<Record<OpenApiMethod, OpenApiOperation>>>;

/** A whole OpenAPI 3.1 document. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  jsonSchemaDialect: string;
  tags: { name: string; description?: string }[];
  paths: OpenApiPaths;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, OpenApiResponse>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; bearerFormat: string; description: string }>;
  };
}
