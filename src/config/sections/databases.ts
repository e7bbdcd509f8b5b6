import { Type, type Static } from '@sinclair/typebox';
import { Nullable, AbsolutePath } from '../../core/schema.ts';

const extraArgs = (tool: string) => Type.Array(Type.String({ minLength: 1 }), {
  default: [],
  description: `Extra arguments for ${tool}, placed after the agent's own and before the database name. Never put a password here: argv is visible to every local user.`,
});

export const mariadbSection = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'Dump the MariaDB/MySQL databases listed on accounts.' }),
  host: Nullable(Type.String({ minLength: 1 }), { default: null, description: 'Server host name or IP for TCP; null connects over the local socket.' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 3306, description: 'TCP port, used only when host is set.' }),
  socket: Nullable(Type.String({ minLength: 1 }), { default: '/run/mysqld/mysqld.sock', description: 'Unix socket of the local server, used when host is null; null leaves it to defaultsFile or the client default.' }),
  user: Nullable(Type.String({ minLength: 1 }), { default: 'root', description: 'Administrative user the dumps run as; null leaves it to defaultsFile.' }),
  password: Nullable(Type.String(), { default: null, description: 'Password of that user (secret). Handed to the tools in a 0600 option file, never in argv or the environment; null for unix_socket authentication or when defaultsFile has it.' }),
  defaultsFile: Nullable(AbsolutePath(), { default: null, description: 'An existing option file (e.g. /etc/mysql/debian.cnf) included first; the settings above override it where they are not null.' }),
  dumpCommand: Type.String({ minLength: 1, default: 'mariadb-dump', description: 'The dump tool (mariadb-dump or mysqldump).' }),
  clientCommand: Type.String({ minLength: 1, default: 'mariadb', description: 'The command-line client, used for size estimates and existence checks.' }),
  extraArgs: extraArgs('the dump tool'),
}, { additionalProperties: false, default: {}, description: 'MariaDB/MySQL server holding the accounts\' databases.' });

export const postgresqlSection = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'Dump the PostgreSQL databases listed on accounts.' }),
  host: Type.String({ minLength: 1, default: '/var/run/postgresql', description: 'Host name, IP, or the directory of the server\'s Unix socket (an absolute path).' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 5432, description: 'TCP port (also names the Unix socket file).' }),
  user: Type.String({ minLength: 1, default: 'postgres', description: 'Administrative role the dumps run as.' }),
  password: Nullable(Type.String(), { default: null, description: 'Password of that role (secret). Handed to the tools in a 0600 PGPASSFILE, never in argv or the environment. With null the server must trust the daemon\'s OS user (e.g. a pg_ident.conf map of root to postgres).' }),
  maintenanceDatabase: Type.String({ minLength: 1, default: 'postgres', description: 'Database to connect to for size estimates and existence checks.' }),
  dumpCommand: Type.String({ minLength: 1, default: 'pg_dump', description: 'The dump tool.' }),
  clientCommand: Type.String({ minLength: 1, default: 'psql', description: 'The command-line client, used for size estimates and existence checks.' }),
  extraArgs: extraArgs('pg_dump'),
}, { additionalProperties: false, default: {}, description: 'PostgreSQL server holding the accounts\' databases.' });

export const databasesSection = Type.Object({
  mariadb: mariadbSection,
  postgresql: postgresqlSection,
}, { additionalProperties: false, default: {}, description: 'Database servers and the admin credentials used to dump the accounts\' databases.' });

export type MariadbConfig = Static<typeof mariadbSection>;
export type PostgresqlConfig = Static<typeof postgresqlSection>;
export type DatabasesConfig = Static<typeof databasesSection>;
