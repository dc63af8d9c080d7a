// The station API client, one module per area of the station; stores import it from
// here, components reach it through their store.
export * from './client'
export type * from './types'
export * from './station'
export * from './services'
export * from './tickets'
export * from './auth'
export * from './counters'
export * from './events'
export * from './reports'
export * from './lookup'
export * from './ledger'
export * from './sync'
