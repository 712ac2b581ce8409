// The layout's scope picker on pages other than cost analysis: a scope
// chosen here opens cost analysis on it.

import { Picker } from './picker.js';

const picker = new Picker((scope) => location.assign('/analysis?scope=' + encodeURIComponent(scope)));
picker.load(new URLSearchParams(location.search).get('scope') || '').catch((e) => {
  document.getElementById('scope-name').textContent = e.message;
});
