/** `stock-levels` -> `StockLevels`: operation ids and schema names from declared names. */
export function pascalCase(name: string): string {
  return name.replace(/(^|[-_ ]+)([a-zA-Z0-9])/g, (_match, _separator: string, letter: string) => letter.toUpperCase());
}
