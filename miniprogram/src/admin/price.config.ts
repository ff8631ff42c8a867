export default definePageConfig({ navigationBarTitleText: '指导价' })
