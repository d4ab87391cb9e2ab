import { describe, expect, it } from '@jest/globals';
import {
  BodyShapeError,
  checkFormShape,
  checkJsonShape,
  MAX_BODY_DEPTH,
  MAX_BODY_VALUES,
} from './body-shape.js';

const json = (text: string) => () => checkJsonShape(Buffer.from(text));

describe('checkJsonShape', () => {
  it(`accepts ${MAX_BODY_DEPTH} levels and refuses one more`, () => {
    expect(json(`${'['.repeat(MAX_BODY_DEPTH)}${']'.repeat(MAX_BODY_DEPTH)}`)).not.toThrow();
    expect(json(`${'['.repeat(MAX_BODY_DEPTH + 1)}${']'.repeat(MAX_BODY_DEPTH + 1)}`)).toThrow(
      BodyShapeError,
    );
    expect(json(`${'{"a":'.repeat(MAX_BODY_DEPTH + 1)}1${'}'.repeat(MAX_BODY_DEPTH + 1)}`)).toThrow(
      BodyShapeError,
    );
  });

  it('counts nesting, not brackets: closed levels give their depth back', () => {
    const siblings = Array(40)
      .fill(`${'['.repeat(MAX_BODY_DEPTH - 1)}${']'.repeat(MAX_BODY_DEPTH - 1)}`)
      .join(',');
    expect(json(`[${siblings}]`)).not.toThrow();
  });

  it(`refuses more than ${MAX_BODY_VALUES} keys and elements, all levels together`, () => {
    const array = (n: number) => `[${Array(n).fill('1').join(',')}]`;
    expect(json(array(MAX_BODY_VALUES - 2))).not.toThrow();
    expect(json(array(MAX_BODY_VALUES + 1))).toThrow(BodyShapeError);
    const half = Math.ceil(MAX_BODY_VALUES / 2) + 1;
    expect(json(`{"a":${array(half)},"b":{"c":${array(half)}}}`)).toThrow(BodyShapeError);
  });

  it('ignores brackets, commas and escaped quotes inside strings', () => {
    const text = JSON.stringify({ a: `"\\${'[{,'.repeat(MAX_BODY_VALUES)}` });
    expect(json(text)).not.toThrow();
    expect(json(JSON.stringify(['\\', '[[[', '"]]]']))).not.toThrow();
  });

  it('answers with a 400 body-parser passes on', () => {
    try {
      json('['.repeat(MAX_BODY_DEPTH + 1))();
      throw new Error('not refused');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, type: 'entity.too.complex' });
    }
  });
});

describe('checkFormShape', () => {
  it(`accepts ${MAX_BODY_VALUES} fields and refuses one more`, () => {
    const form = (n: number) => Buffer.from(Array(n).fill('a=1').join('&'));
    expect(() => checkFormShape(form(MAX_BODY_VALUES))).not.toThrow();
    expect(() => checkFormShape(form(MAX_BODY_VALUES + 1))).toThrow(BodyShapeError);
  });
});
