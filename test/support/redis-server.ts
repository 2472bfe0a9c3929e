// The tests' Redis is the bench's: one redis-server helper (bench/support/redis-server.ts) for both.
export { startRedisServer, type RedisServer, type RedisServerOptions } from '../../bench/support/redis-server.js';
