/**
 * Time budgets of the timer functions. The cloud stops a function at its timeout (config.json `timeout`, at
 * most 60 s), so a timer's work stops *starting* units (an order, a day, a notice, a trade) once its budget is
 * spent, and the rest waits for the next run. The budget leaves room for the unit in flight when it runs out:
 * deploy/bounds.ts adds the worst unit to the budget and deploy/deploy.test.ts checks the sum against the
 * declared timeout.
 */

/** `timeouts` (every minute): all its jobs together, each getting what the previous ones left. */
export const TICK_BUDGET_MS = 30_000;

/** `release` run: stop starting new days after this long. */
export const RELEASE_DAYS_BUDGET_MS = 15_000;

/** `release` run: the notices that follow the release stop after this long since the run began (the rest go out from `timeouts`). */
export const RELEASE_RUN_BUDGET_MS = 25_000;

/** One batch of notices from `release`'s `notices` action. */
export const NOTICE_BATCH_BUDGET_MS = 20_000;
