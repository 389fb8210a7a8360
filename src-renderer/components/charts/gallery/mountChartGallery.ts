import { createApp } from 'vue';
import '../../../styles/app.css';
import ChartGallery from './ChartGallery.vue';

createApp(ChartGallery).mount('#app');
