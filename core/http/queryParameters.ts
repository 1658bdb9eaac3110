import { HTTP_ERRORS, HttpRequestError } from './HttpErrors';
import { strictlyPercentDecoded } from './percentDecoding';

/**
 * The parameters of a URL's query string, each name and value percent-decoded strictly as UTF-8.
 * `URLSearchParams` alone turns a broken escape (`%ED%A0%80`, an encoded surrogate, or a cut
 * `%E0%A4%A`) into U+FFFD and carries on, so `customerId=%ED%A0%80` would quietly search for
 * another id; here it is refused with `INVALID_QUERY_PARAMETER` naming the parameter.
 */
export function queryParametersOf(url: URL): URLSearchParams {
  const params = new URLSearchParams();
  for (const pair of url.search.slice(1).split('&')) {
    if (pair === '') continue;
    const split = pair.indexOf('=');
    const rawName = split === -1 ? pair : pair.slice(0, split);
    const rawValue = split === -1 ? '' : pair.slice(split + 1);
    const name = strictlyDecoded(rawName);
    const value = strictlyDecoded(rawValue);
    if (name === undefined || value === undefined) {
      const named = name ?? leniently(rawName);
      throw new HttpRequestError(
        HTTP_ERRORS.INVALID_QUERY_PARAMETER,
        `query parameter "${named}" is not percent-encoded UTF-8 (a "%" must start an escape, and escapes must spell well-formed UTF-8)`,
        { field: named },
      );
    }
    params.append(name, value);
  }
  return params;
}

/** A query string component as `application/x-www-form-urlencoded` decodes it, or undefined when it is not UTF-8. */
function strictlyDecoded(component: string): string | undefined {
  return strictlyPercentDecoded(component.replace(/\+/g, ' '));
}

/** A broken name, decoded with replacement characters so that it can be named in the answer. */
function leniently(component: string): string {
  return new URLSearchParams(`${component}=`).keys().next().value ?? component;
}
