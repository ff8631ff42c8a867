export default definePageConfig({ navigationBarTitleText: 'C2C 交易市场', enablePullDownRefresh: true })
