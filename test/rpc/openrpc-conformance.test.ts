// rpc.discover against other people's definition of OpenRPC: the official meta-schema
// (@open-rpc/meta-schema) through @open-rpc/schema-utils-js's validateOpenRPCDocument and through
// Ajv with every error collected. Both sockets' documents are fetched over the socket from a real
// daemon, and every params and result schema in them must compile under Ajv.
import t from 'tap';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { validateOpenRPCDocument } from '@open-rpc/schema-utils-js';
import { METHODS, buildOpenRpcDocument } from '../../src/protocol/index.ts';
import { startDaemon } from '../helpers/daemon.ts';

// Both packages' typings declare types only, not the schemas they export, hence require. The
// second is the dialect the meta-schema is written in (a dependency of @open-rpc/schema-utils-js).
const require = createRequire(import.meta.url);
const { openrpcDocument: openRpcMetaSchema } = require('@open-rpc/meta-schema') as { openrpcDocument: Record<string, unknown> };
const { jsonSchema: jsonSchemaToolsMetaSchema } = require('@json-schema-tools/meta-schema') as { jsonSchema: Record<string, unknown> };
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface ContentDescriptor { name: string; schema: unknown }
interface Doc { openrpc: string; methods: { name: string; params: ContentDescriptor[]; result: ContentDescriptor }[] }

/** The errors validateOpenRPCDocument reports (it stops at the first, as its Ajv is not allErrors). */
function schemaUtilsErrors(doc: Doc): unknown[] {
  const verdict = validateOpenRPCDocument(doc as never);
  if (verdict === true) return [];
  const listed = verdict.message.slice(verdict.message.indexOf('['));
  return JSON.parse(listed) as unknown[];
}

/** Every error of the document against the OpenRPC meta-schema, with Ajv collecting all of them. */
function metaSchemaErrors(doc: Doc): ErrorObject[] {
  // The meta-schema's dialect (https://meta.json-schema.tools/, a draft-07 superset) is not one Ajv
  // knows: it is added as a plain schema, under both spellings the meta-schema refers to it by,
  // and the meta-schema itself is trusted rather than checked against it.
  const { $id: _id, ...jsonSchemaTools } = jsonSchemaToolsMetaSchema;
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false, validateSchema: false }));
  ajv.addSchema(jsonSchemaTools, 'https://meta.json-schema.tools');
  ajv.addSchema(structuredClone(jsonSchemaTools), 'https://meta.json-schema.tools/');
  const validate = ajv.compile(openRpcMetaSchema);
  return validate(doc) ? [] : [...(validate.errors ?? [])];
}

// strict: every strict check (unknown or ignored keywords, strictTypes, strictTuples,
// strictRequired) throws at compile time instead of warning.
const AJV_OPTIONS = { strict: true, strictRequired: true, allErrors: true } as const;

/** Compiles every params and result schema; what failed, and how many schemas there were. */
function compileProblems(doc: Doc): { problems: string[]; schemas: number } {
  const ajv = addFormats(new Ajv({ ...AJV_OPTIONS, logger: false }));
  const problems: string[] = [];
  let schemas = 0;
  for (const m of doc.methods) {
    for (const [what, schema] of [...m.params.map((p) => [`param ${p.name}`, p.schema] as const), ['result', m.result.schema] as const]) {
      schemas++;
      try {
        ajv.compile(schema as object);
      } catch (err) {
        problems.push(`${m.name} ${what}: ${(err as Error).message}`);
      }
    }
  }
  return { problems, schemas };
}

const d = await startDaemon(t);
const sockets = { admin: await d.admin(), panel: await d.panel() };

for (const [socket, client] of Object.entries(sockets)) {
  t.test(`rpc.discover on the ${socket} socket is a valid OpenRPC document`, async (t) => {
    const doc = await client.call<Doc>('rpc.discover');
    const served = METHODS.filter((m) => socket === 'admin' || m.scope === 'tenant');
    t.equal(doc.methods.length, served.length, 'every method the socket serves is described');
    // Nothing rewrote it on the way: schemas of secret-named params such as actor.session and
    // mailboxes[].passwordHash, and error objects shared by many methods, arrive as built.
    t.same(doc.methods, buildOpenRpcDocument(served, { title: '', version: '' }).methods, 'the document arrives exactly as built');

    const utils = schemaUtilsErrors(doc);
    t.comment(`${socket}: validateOpenRPCDocument errors: ${utils.length}`);
    t.same(utils, [], 'validateOpenRPCDocument finds nothing');

    const meta = metaSchemaErrors(doc);
    t.comment(`${socket}: Ajv (allErrors) against @open-rpc/meta-schema: ${meta.length} errors`);
    t.same(meta.map((e) => `${e.instancePath} ${e.message ?? ''}`), [], 'the meta-schema finds nothing');

    const { problems, schemas } = compileProblems(doc);
    t.comment(`${socket}: Ajv ${JSON.stringify(AJV_OPTIONS)} + ajv-formats: ${problems.length} of ${schemas} params/result schemas fail to compile`);
    t.same(problems, [], 'every params and result schema compiles');
  });
}

t.test('what the daemon answers validates against the result schema it publishes', async (t) => {
  const doc = await sockets.admin.call<Doc>('rpc.discover');
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  const check = (method: string, result: unknown) => {
    const validate = ajv.compile(doc.methods.find((m) => m.name === method)!.result.schema as object);
    t.ok(validate(result), `${method}: ${ajv.errorsText(validate.errors)}`);
  };
  check('package.put', await sockets.admin.call('package.put', { name: 'basic', tenantBackups: { enabled: true } }));
  check('package.get', await sockets.admin.call('package.get', { name: 'basic' }));
  check('package.list', await sockets.admin.call('package.list'));
  check('account.list', await sockets.admin.call('account.list'));
  check('agent.status', await sockets.admin.call('agent.status'));
});

t.test('the validators used here do reject a broken document', async (t) => {
  const doc = await sockets.panel.call<Doc>('rpc.discover');
  const broken = structuredClone(doc) as unknown as { methods: Record<string, unknown>[] };
  broken.methods[0]!.errors = ['[cycle]'];
  broken.methods[0]!.params = [{ name: 'x', schema: '***' }];
  t.ok(schemaUtilsErrors(broken as unknown as Doc).length > 0, 'validateOpenRPCDocument rejects it');
  t.ok(metaSchemaErrors(broken as unknown as Doc).length >= 2, 'the meta-schema rejects both faults');
  const badSchema = structuredClone(doc);
  badSchema.methods[0]!.result.schema = { type: 'object', propertiez: {} };
  t.ok(compileProblems(badSchema).problems.length > 0, 'strict Ajv refuses an unknown keyword');
});
