import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../core/schema.ts';

export const logSection = Type.Object({
  level: StringEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info', description: 'Lowest level written to stdout as JSON.' }),
}, { additionalProperties: false, default: {}, description: 'Logging.' });
