/**
 * `db.command` (conventionally `_`): query, logic and update commands as in wx-server-sdk, plus
 * `db.serverDate()` and `db.RegExp()`. Commands are plain tagged objects; translate.ts turns them into
 * MongoDB query/update documents that mingo evaluates.
 */

export class QueryCommand {
  readonly _kind = 'query' as const;
  constructor(readonly op: string, readonly operands: unknown[]) {}
  and(...args: unknown[]): LogicCommand {
    return new LogicCommand('and', [this, ...flat(args)]);
  }
  or(...args: unknown[]): LogicCommand {
    return new LogicCommand('or', [this, ...flat(args)]);
  }
  // Chainable comparison helpers as in the SDK: _.gt(1).lt(5) is _.gt(1).and(_.lt(5)).
  eq(v: unknown) { return this.and(new QueryCommand('eq', [v])); }
  neq(v: unknown) { return this.and(new QueryCommand('neq', [v])); }
  gt(v: unknown) { return this.and(new QueryCommand('gt', [v])); }
  gte(v: unknown) { return this.and(new QueryCommand('gte', [v])); }
  lt(v: unknown) { return this.and(new QueryCommand('lt', [v])); }
  lte(v: unknown) { return this.and(new QueryCommand('lte', [v])); }
  in(v: unknown[]) { return this.and(new QueryCommand('in', [v])); }
  nin(v: unknown[]) { return this.and(new QueryCommand('nin', [v])); }
}

export class LogicCommand {
  readonly _kind = 'logic' as const;
  constructor(readonly op: 'and' | 'or' | 'nor' | 'not', readonly operands: unknown[]) {}
  and(...args: unknown[]): LogicCommand {
    return new LogicCommand('and', [this, ...flat(args)]);
  }
  or(...args: unknown[]): LogicCommand {
    return new LogicCommand('or', [this, ...flat(args)]);
  }
}

export class UpdateCommand {
  readonly _kind = 'update' as const;
  constructor(readonly op: string, readonly operands: unknown[]) {}
}

export class ServerDate {
  readonly _kind = 'serverDate' as const;
  constructor(readonly offset: number = 0) {}
}

export class DbRegExp {
  readonly _kind = 'regexp' as const;
  constructor(readonly regexp: string, readonly options: string = '') {}
}

/** Aggregation expression: `$.sum('$x')` → `{ $sum: '$x' }`. */
export class AggExpr {
  constructor(readonly expr: Record<string, unknown>) {}
}

function flat(args: unknown[]): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
}

const q = (op: string) => (...a: unknown[]) => new QueryCommand(op, a);
const u = (op: string) => (...a: unknown[]) => new UpdateCommand(op, a);

function makeAggregateCommands(): Record<string, (...args: unknown[]) => AggExpr> {
  return new Proxy({} as Record<string, (...args: unknown[]) => AggExpr>, {
    get(_t, prop) {
      if (typeof prop !== 'string') return undefined;
      return (...args: unknown[]) => new AggExpr({ ['$' + prop]: args.length === 1 ? args[0] : args });
    },
  });
}

export function createCommand() {
  return {
    // comparison
    eq: q('eq'),
    neq: q('neq'),
    lt: q('lt'),
    lte: q('lte'),
    gt: q('gt'),
    gte: q('gte'),
    in: (values: unknown[]) => new QueryCommand('in', [values]),
    nin: (values: unknown[]) => new QueryCommand('nin', [values]),
    // element / array / evaluation
    exists: (v: boolean) => new QueryCommand('exists', [v]),
    size: (n: number) => new QueryCommand('size', [n]),
    mod: (...a: unknown[]) => new QueryCommand('mod', Array.isArray(a[0]) ? (a[0] as unknown[]) : a),
    all: (values: unknown[]) => new QueryCommand('all', [values]),
    elemMatch: (cond: unknown) => new QueryCommand('elemMatch', [cond]),
    expr: (e: unknown) => new QueryCommand('expr', [e]),
    // logic
    and: (...a: unknown[]) => new LogicCommand('and', flat(a)),
    or: (...a: unknown[]) => new LogicCommand('or', flat(a)),
    nor: (...a: unknown[]) => new LogicCommand('nor', flat(a)),
    not: (c: unknown) => new LogicCommand('not', [c]),
    // update
    set: u('set'),
    remove: () => new UpdateCommand('remove', []),
    inc: u('inc'),
    mul: u('mul'),
    min: u('min'),
    max: u('max'),
    rename: u('rename'),
    push: u('push'),
    pop: () => new UpdateCommand('pop', []),
    shift: () => new UpdateCommand('shift', []),
    unshift: u('unshift'),
    pull: u('pull'),
    pullAll: u('pullAll'),
    addToSet: u('addToSet'),
    // aggregation expressions: db.command.aggregate.sum('$x') etc.
    aggregate: makeAggregateCommands(),
  };
}

export type Command = ReturnType<typeof createCommand>;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  // any realm's Object.prototype (jest runs tests in a vm context)
  return p === null || p === Object.prototype || Object.getPrototypeOf(p) === null;
}
