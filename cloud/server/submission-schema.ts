/**
 * The JSON Schema of POST /jobs: the envelope around the spec, with the defaults `reframe train`
 * uses for every omitted setting. The spec itself is checked by core (the same checks as every other
 * spec), which names the exact field; the schema only requires it to be an object.
 */
export const submissionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['spec', 'dataset'],
  properties: {
    spec: { type: 'object', description: 'The model as a reframe-spec document (`reframe spec <preset>` prints one)' },
    dataset: {
      type: 'object',
      description: 'Exactly one of: {"builtin": "demo"}, {"server": name} (a folder the service offers), {"uploaded": name} (PUT /datasets/:name with this token)',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        builtin: { type: 'string', enum: ['demo'] },
        server: { type: 'string', minLength: 1, maxLength: 64 },
        uploaded: { type: 'string', minLength: 1, maxLength: 64 },
      },
    },
    epochs: { type: 'integer', minimum: 1, maximum: 10000, default: 10 },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 64 },
    lr: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 0.05 },
    optimizer: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        name: { type: 'string', enum: ['sgd', 'adam'], default: 'sgd' },
        momentum: { type: 'number', minimum: 0, maximum: 1, default: 0.9 },
        weightDecay: { type: 'number', minimum: 0, maximum: 1, default: 5e-4 },
      },
    },
    schedule: { type: 'string', enum: ['cosine', 'step', 'constant'], default: 'cosine' },
    augment: { type: 'boolean', default: false, description: 'Random crop with padding and horizontal flips' },
    seed: { type: 'string', pattern: '^0x[0-9a-fA-F]{1,16}$', default: '0x5eed', description: 'Data order, augmentation and validation split' },
    engine: { type: 'string', enum: ['auto', 'node', 'wasm'], default: 'auto' },
    dtype: { type: 'string', enum: ['fp32', 'fp16', 'int8'], default: 'fp32', description: 'Weight storage in the package' },
  },
} as const;
