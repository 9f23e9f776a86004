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
