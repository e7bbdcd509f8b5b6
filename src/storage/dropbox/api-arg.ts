// Dropbox takes JSON arguments of content calls in the Dropbox-API-Arg header, which must be
// ASCII: every other character goes as a \uXXXX escape (valid JSON, so the server decodes it).
export function apiArg(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
