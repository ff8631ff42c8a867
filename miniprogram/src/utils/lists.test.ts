import { followFilter, shipSummary } from './lists'

describe('followFilter: lists follow their filter after ship / confirm', () => {
  const a = { id: 'a', status: 'paid' }
  const b = { id: 'b', status: 'paid' }
  it('a shipped order leaves 待发货 (it stayed there with its new tag)', () => {
    expect(followFilter([a, b], { id: 'a', status: 'shipped' }, 'paid')).toEqual([b])
  })
  it('under 全部 it is replaced in place', () => {
    expect(followFilter([a, b], { id: 'a', status: 'shipped' }, '')).toEqual([{ id: 'a', status: 'shipped' }, b])
  })
  it('a change that still matches stays', () => {
    expect(followFilter([a], { id: 'a', status: 'paid' }, 'paid')).toEqual([a])
  })
})

describe('shipSummary', () => {
  it('a tail number, not the long id', () => {
    const o = { id: 'O20261128173012345678901234', buyerUserNo: '100023', lines: [{ title: '手机壳', quantity: 2 }] }
    expect(shipSummary(o)).toBe('订单尾号 78901234\n手机壳 × 2\n买家用户号 100023\n确认商品已经发出 / 交付给顾客？')
    expect(shipSummary(o)).not.toContain(o.id)
  })
})
