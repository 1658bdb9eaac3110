/** How the template names things: function keys and the logical ids the framework derives from them. */

/** `order-list` -> `orderList`. */
export function camelCase(kebab: string): string {
  return kebab.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** `orderList` or `order-list` -> `OrderList`. */
export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** The serverless.yml key of a pipeline's function: `order-list` -> `orderListPipeline`. */
export function pipelineFunctionKey(pipelineName: string): string {
  return `${camelCase(pipelineName)}Pipeline`;
}

/** The logical ids the framework gives a function's resources, and the one we give its role. */
export function functionLogicalIds(key: string): { logicalId: string; roleLogicalId: string; logGroupLogicalId: string } {
  const pascal = pascalCase(key);
  return { logicalId: `${pascal}LambdaFunction`, roleLogicalId: `${pascal}Role`, logGroupLogicalId: `${pascal}LogGroup` };
}
