import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as prom from 'prom-client'
import { Counter, Gauge, Histogram, Registry } from '../../src/metrics/prom-core.js'

// src/metrics/prom-core.ts reaches into prom-client's module layout; a prom-client that moved a file fails here.
test('prom-core\'s classes are prom-client\'s own', () => {
  assert.equal(Registry, prom.Registry)
  assert.equal(Counter, prom.Counter)
  assert.equal(Gauge, prom.Gauge)
  assert.equal(Histogram, prom.Histogram)
})
