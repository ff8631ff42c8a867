// The API contract, re-exported for pages (types only: nothing of ../shared/api ends up in the bundle).
export type * from '../../../shared/api'
