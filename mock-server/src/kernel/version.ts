/** The server's version, shown in the OpenAPI document and at start. */
export const VERSION = '0.1.0';
