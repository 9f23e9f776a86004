import { createChat } from '@chat/vue';
import { createApp } from 'vue';
import App from './App.vue';
import { createChatClient } from './chat-client';
import './style.css';

createApp(App)
  .use(createChat({ client: createChatClient() }))
  .mount('#app');
