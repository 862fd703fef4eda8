import { mount } from 'svelte';
import App from './App.svelte';
import './styles/shared.css';

mount(App, { target: document.getElementById('app')! });
