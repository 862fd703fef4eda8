import { mount } from 'svelte';
import './styles/shared.css';

// A share link's page (/share) is its own small app: it never loads the owner's UI or its connection.
if (location.pathname === '/share') {
  void import('./components/share/SharePage.svelte').then(({ default: SharePage }) => mount(SharePage, { target: document.getElementById('app')! }));
} else {
  void import('./App.svelte').then(({ default: App }) => mount(App, { target: document.getElementById('app')! }));
}
