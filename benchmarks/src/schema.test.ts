import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { report } from './report.fixture.js';
import { ReportSchemaError, validateReport } from './schema.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

describe('the result schema', () => {
  it('accepts a complete report, with or without its baselines', () => {
    expect(() => validateReport(report)).not.toThrow();
    const unavailable = { unavailable: 'no torch' };
    expect(() => validateReport({ ...report, baselines: { pytorch: unavailable, pytorchInference: unavailable, onnxInference: unavailable, pytorchTraining: unavailable } })).not.toThrow();
  });

  it('accepts a GPU-only run without the CPU sections, and a variant that gave no figures', () => {
    const { trainStep: _t, loader: _l, ...gpuOnly } = report;
    const rows = [{ model: 'mobilenext_100', unavailable: 'out of memory' }];
    expect(() => validateReport({ ...gpuOnly, baselines: {}, inference: [{ ...report.inference[0]!, rows }] })).not.toThrow();
  });

  it.each([
    ['a missing section', { ...report, inference: undefined }, 'report.inference'],
    ['a negative latency', structuredClone({ ...report, inference: [{ ...report.inference[0]!, rows: [{ ...report.inference[0]!.rows[0]!, latency: { medianMs: -1, p90Ms: 1, runs: 1 } }] }] }), 'report.inference[0].rows[0].latency.medianMs'],
    ['a wrong schema version', { ...report, schema: 2 }, 'report.schema'],
    ['a machine without its GPU field', { ...report, machine: { ...report.machine, gpu: undefined } }, 'report.machine.gpu'],
    ['a training step without its backend', { ...report, zooTrainStep: [{ ...report.zooTrainStep[0]!, backend: undefined }] }, 'report.zooTrainStep[0].backend'],
    ['a leak flag that is not a boolean', { ...report, trainStep: [{ ...report.trainStep![0]!, noLeak: 'yes' }] }, 'report.trainStep[0].noLeak'],
  ])('rejects %s, naming the field', (_, value, path) => {
    const error = (() => {
      try {
        validateReport(value);
      } catch (e) {
        return e as ReportSchemaError;
      }
    })();
    expect(error).toBeInstanceOf(ReportSchemaError);
    expect(error!.path).toBe(path);
  });

  it.each(readdirSync(RESULTS).filter((f) => f.endsWith('.json')))('the committed result %s fits it', (file) => {
    expect(() => validateReport(JSON.parse(readFileSync(`${RESULTS}${file}`, 'utf8')))).not.toThrow();
  });
});
