export { configSchema, type AgentConfig } from './schema.ts';
export { parseConfig, readConfigFile, loadDevConfig, devConfigDefaults } from './load.ts';
