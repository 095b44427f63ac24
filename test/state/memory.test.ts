import { createMemoryStore } from '../../src/state/memory.js'
import { storeContract } from './contract.js'

storeContract('memory', () => createMemoryStore())
