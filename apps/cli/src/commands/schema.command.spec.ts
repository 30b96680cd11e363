import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { ConfigDocument, Kernel, composePipelineSchema } from '@nasx/kernel';
import { WORKSPACE } from '../cli-test-helpers';
import type { CliIO } from '../io';
import { schemaCommand } from './schema.command';

const EXAMPLES = path.join(WORKSPACE, 'examples');
/** The schema file the examples point editors at (written by `nasx schema -o examples/nasx.schema.json`). */
const EXAMPLES_SCHEMA = path.join(EXAMPLES, 'nasx.schema.json');
const SCHEMA_LINE = /^# yaml-language-server: \$schema=(\S+)$/;

/** `nasx schema` in-process, as the workspace's CLI prints it. */
function composedSchema(): { text: string; schema: Record<string, unknown> } {
  let text = '';
  const io: CliIO = { out: (t) => void (text += t), err: () => undefined, errIsTTY: false, cwd: WORKSPACE, env: {} };
  expect(schemaCommand(io, {})).toBe(0);
  return { text, schema: JSON.parse(text) };
}

/** Strict ajv without `useDefaults`: the composed schema is for editors and validation, not for filling defaults. */
const strictAjv = () => new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });

let examplesValidator: ReturnType<Ajv['compile']> | undefined;
/** The validator of examples/nasx.schema.json, compiled once. */
const validateExample = (data: unknown): ReturnType<Ajv['compile']> => {
  examplesValidator ??= strictAjv().compile(JSON.parse(fs.readFileSync(EXAMPLES_SCHEMA, 'utf8')));
  examplesValidator(data);
  return examplesValidator;
};

const examples = fs
  .readdirSync(EXAMPLES)
  .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'nasx.schema.json')
  .sort();

describe('nasx schema', () => {
  it('is a valid JSON Schema: it compiles with ajv in strict mode (no empty enum for a kind without contributions)', () => {
    const { schema } = composedSchema();
    expect(() => strictAjv().compile(schema)).not.toThrow();
    const latencyItems = (schema['properties'] as Record<string, { items: Record<string, unknown> }>)['latency']!.items;
    expect(JSON.stringify(latencyItems)).toContain('"const":"table"');
    // With no latency model installed the slot accepts nothing, and says so (an empty enum would not compile).
    const bare = composePipelineSchema(Kernel.open({ discover: false }).registry) as Record<string, unknown>;
    expect(() => strictAjv().compile(bare)).not.toThrow();
    const bareItems = (bare['properties'] as Record<string, { items: Record<string, unknown> }>)['latency']!.items;
    expect(bareItems['not']).toEqual({});
    expect(String(bareItems['description'])).toMatch(/No latency-model contribution is installed/);
  });

  it('examples/nasx.schema.json is what `nasx schema` prints (regenerate: nasx schema -o examples/nasx.schema.json)', () => {
    expect(fs.readFileSync(EXAMPLES_SCHEMA, 'utf8')).toBe(composedSchema().text);
  });

  it('there are examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
  });

  it.each(examples)('examples/%s names the schema on its first line and validates against it', (name) => {
    const file = path.join(EXAMPLES, name);
    const text = fs.readFileSync(file, 'utf8');
    const data = ConfigDocument.parse(text, file).data;
    let schemaRef: string | undefined;
    if (name.endsWith('.json')) schemaRef = (data as { $schema?: string }).$schema;
    else schemaRef = SCHEMA_LINE.exec(text.split('\n')[0] ?? '')?.[1];
    expect(schemaRef).toBeDefined();
    expect(path.resolve(EXAMPLES, schemaRef!)).toBe(EXAMPLES_SCHEMA);
    const { $schema: _ignored, ...config } = data as Record<string, unknown>;
    expect(validateExample(config).errors ?? []).toEqual([]);
  });
});
