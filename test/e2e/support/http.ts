/** A JSON response as the tests see it. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs a command as JSON. */
export async function postCommand(baseUrl: string, commandType: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return request(`${baseUrl}/api/commands/${commandType}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** GETs a path as JSON. */
export async function getJson(baseUrl: string, path: string): Promise<JsonResponse> {
  return request(`${baseUrl}${path}`, { method: 'GET' });
}

export async function request(url: string, init: RequestInit): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
