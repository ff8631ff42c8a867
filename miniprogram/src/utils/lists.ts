/**
 * A list under a status filter after one of its items changed: the item is replaced where it is, or leaves
 * the list when its new status no longer matches the filter (a shipped order leaves 待发货 at once).
 */
export function followFilter<T extends { id: string; status: string }>(items: T[], changed: T, filter: string | '' | undefined): T[] {
  if (filter && changed.status !== filter) return items.filter((x) => x.id !== changed.id)
  return items.map((x) => (x.id === changed.id ? changed : x))
}

/** The ship dialog's words: the order's tail number (no long id to wrap), what it holds and the buyer. */
export function shipSummary(o: { id: string; buyerUserNo: string; lines: { title: string; quantity: number }[] }): string {
  const goods = o.lines.map((l) => `${l.title} × ${l.quantity}`).join('、')
  return `订单尾号 ${o.id.slice(-8)}\n${goods || '到店付款'}\n买家用户号 ${o.buyerUserNo}\n确认商品已经发出 / 交付给顾客？`
}
