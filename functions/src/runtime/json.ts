/** JSON.parse that answers undefined instead of throwing (queue bodies are validated by a schema next). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
