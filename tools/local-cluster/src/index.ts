export { type Cluster, type ClusterOptions, startCluster } from './cluster';
export { type Haproxy, missingHaproxy, type ServerStats, servers } from './haproxy';
export { type Backend, type HaproxyConfigInput, haproxyConfig, STATS_PATH } from './haproxy-config';
