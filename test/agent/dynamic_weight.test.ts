import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { derivedWeight, dynamicWeightOf } from '../../src/agent/dynamic_weight';

describe('dynamic weights', () => {
  it('scales the load index to 1..100 against the best one', () => {
    assert.equal(derivedWeight(400, 400), 100);
    assert.equal(derivedWeight(100, 400), 25);
    assert.equal(derivedWeight(1, 400), 1);
    assert.equal(derivedWeight(0, 400), 1);
    assert.equal(derivedWeight(0, 0), 1);
  });

  it('takes the agent\'s own weight when it reports one', () => {
    assert.equal(dynamicWeightOf({ loadIndex: 100, weight: 7 }, 400), 7);
    assert.equal(dynamicWeightOf({ loadIndex: 100, weight: 0 }, 400), 0);
    assert.equal(dynamicWeightOf({ loadIndex: 200 }, 400), 50);
  });
});
