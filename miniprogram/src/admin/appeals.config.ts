export default definePageConfig({ navigationBarTitleText: '交易申诉', enablePullDownRefresh: true })
