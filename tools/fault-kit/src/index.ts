export { type S3Server, type S3ServerOptions, startS3Server } from './s3-server';
export { crash, type ServerNode, startNode, stopNodes } from './server-nodes';
export {
  freePort,
  missingTools,
  type OwnPostgres,
  type OwnRedis,
  startPostgres,
  startRedis,
} from './services';
export {
  errorLines,
  faultSuiteRuns,
  type LogRecord,
  logLines,
  logRecords,
  startNodes,
  tail,
  waitForLine,
} from './suite';
