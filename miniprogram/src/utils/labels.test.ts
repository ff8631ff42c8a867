import { orderSvLine } from './labels'

describe('orderSvLine: an order says only shared value that is true', () => {
  const base = { kind: 'goods' as const, userSv: '0.00', expectedUserSv: '18.00' }
  it('paid or shipped, not settled: 确认收货后获得, never 获得', () => {
    expect(orderSvLine({ ...base, status: 'paid' })).toEqual({ label: '确认收货后获得共享值', value: '18.00' })
    expect(orderSvLine({ ...base, status: 'shipped' })).toEqual({ label: '确认收货后获得共享值', value: '18.00' })
  })
  it('refunded or cancelled: nothing, whatever the order carried', () => {
    expect(orderSvLine({ kind: 'goods', status: 'refunded', userSv: '199.00', expectedUserSv: '199.00' })).toBeNull()
    expect(orderSvLine({ ...base, status: 'cancelled' })).toBeNull()
  })
  it('completed: what was credited', () => {
    expect(orderSvLine({ kind: 'goods', status: 'completed', userSv: '18.00', expectedUserSv: null })).toEqual({ label: '获得共享值', value: '18.00' })
    expect(orderSvLine({ kind: 'instore', status: 'completed', userSv: '0.00', expectedUserSv: null })).toBeNull()
  })
})
