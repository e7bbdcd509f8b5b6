export { dnsEntries, zoneArchiveName, type ZoneRef } from './zones.ts';
