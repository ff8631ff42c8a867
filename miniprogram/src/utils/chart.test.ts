import { barPercent, byDay, chartHundredths, enoughData, formatTick, niceStep, niceTicks } from './chart'

describe('nice ticks in integer hundredths', () => {
  it('guide prices 1.93 … 2.07 get 1.90, 1.95 … 2.10 (not 1.93 / 2.07)', () => {
    const { ticks, step } = niceTicks(193, 207)
    expect(ticks).toEqual([190, 195, 200, 205, 210])
    expect(ticks.map((t) => formatTick(t, step))).toEqual(['1.90', '1.95', '2.00', '2.05', '2.10'])
  })
  it('points 64.71 … 129.43 get 50, 100, 150 (not 64.71 / 129.43)', () => {
    const { ticks, step } = niceTicks(6471, 12943)
    expect(ticks).toEqual([5000, 10000, 15000])
    expect(ticks.map((t) => formatTick(t, step))).toEqual(['50', '100', '150'])
  })
  it('a flat series is centred with a step of room', () => {
    expect(niceTicks(200, 200).ticks).toEqual([180, 200, 220])
    expect(niceTicks(0, 0).ticks).toEqual([-1, 0, 1])
  })
  it('bars from zero; large figures grouped', () => {
    const { ticks, step } = niceTicks(0, 88800)
    expect(ticks).toEqual([0, 50000, 100000])
    expect(formatTick(100000, step)).toBe('1,000')
    expect(niceTicks(0, 3).ticks).toEqual([0, 1, 2, 3])
  })
  it('steps', () => {
    expect([1, 3, 7, 11, 2158].map(niceStep)).toEqual([1, 5, 10, 20, 5000])
    expect(formatTick(210, 10)).toBe('2.1')
    expect(formatTick(-150, 50)).toBe('-1.5')
    expect(formatTick(-150, 5)).toBe('-1.50')
  })
})

describe('dates in order and enough data', () => {
  it('sorts newest-first history oldest first, values with their days', () => {
    expect(byDay(['2026-11-30', '2026-11-29', '2026-11-28'], [[210, 205, 200], [null, 204, 199]])).toEqual({
      days: ['2026-11-28', '2026-11-29', '2026-11-30'],
      series: [[200, 205, 210], [199, 204, null]],
    })
  })
  it('one point of a line is not a trend; one bar is a figure', () => {
    expect(enoughData([{ values: [200] }])).toBe(false)
    expect(enoughData([{ values: [200, null] }, { values: [null, null] }])).toBe(false)
    expect(enoughData([{ values: [200, 210] }])).toBe(true)
    expect(enoughData([{ values: [888], kind: 'bar' }])).toBe(true)
  })
  it('reads decimal strings without floats', () => {
    expect(chartHundredths('982.24')).toBe(98224)
    expect(chartHundredths('')).toBeNull()
  })
})

describe('bar heights', () => {
  it('are whole percent of the tallest, rounded half up in integers', () => {
    expect(barPercent(88800, 88800)).toBe(100)
    expect(barPercent(1, 200)).toBe(1) // 0.5 % rounds up
    expect(barPercent(1, 201)).toBe(0)
    expect(barPercent(2999, 9000)).toBe(33)
    expect(barPercent(-5, 100)).toBe(0)
    expect(barPercent(5, 0)).toBe(0)
  })
})
