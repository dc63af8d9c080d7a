import { createApp } from 'vue'
import { Button, Loading, Popup } from 'vant'
import 'vant/es/button/style'
import 'vant/es/loading/style'
import 'vant/es/popup/style'
import './styles/base.css'
import './styles/mongolian.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { applyIdleOverride, loadStation } from './stores/station'
import { bindDocument } from './stores/session'

applyIdleOverride(window.location.search)
bindDocument()
void loadStation()

createApp(App).use(i18n).use(router).use(Button).use(Loading).use(Popup).mount('#app')
