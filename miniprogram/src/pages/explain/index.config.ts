export default definePageConfig({ navigationBarTitleText: '共享值如何转换' })
