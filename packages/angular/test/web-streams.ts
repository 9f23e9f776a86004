import { ReadableStream, TransformStream, WritableStream } from 'node:stream/web';

/**
 * This suite's jsdom environment has no web streams, which msw (under `@chat/testkit`) uses when
 * it loads: Node's own, put on the global before msw is imported (import this module first).
 */
const globals = globalThis as Record<string, unknown>;
globals.ReadableStream ??= ReadableStream;
globals.WritableStream ??= WritableStream;
globals.TransformStream ??= TransformStream;
