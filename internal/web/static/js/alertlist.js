// The alerts of the budgets page: budget and anomaly alerts, active first,
// each with its message, state, facts, deliveries and (for Contributors)
// a Dismiss button.

import { el, when } from './admin.js';
import { anomalyFacts, budgetFacts, sortAlerts } from './budgetcalc.js';

const stateWord = { active: 'Active', dismissed: 'Dismissed', resolved: 'Resolved' };
const kindWord = { budget: 'Budget', anomaly: 'Anomaly' };

// facts are an alert's facts as a wrapping line of label and value.
function facts(pairs) {
  return el('ul', { className: 'facts' }, pairs.map(([k, v]) => el('li', {}, el('span', { className: 'muted' }, k + ' '), v)));
}

function deliveries(list) {
  if (!list || !list.length) return el('p', { className: 'muted small' }, 'Not delivered: the notification names nobody Reckon could reach, or sending is not set up.');
  return el('details', { className: 'deliveries', 'data-testid': 'alert-deliveries' },
    el('summary', {}, `Deliveries (${list.length})`),
    el('div', { className: 'table-wrap' }, el('table', { className: 'responsive' },
      el('thead', {}, el('tr', {}, ['Channel', 'To', 'Status', 'Attempts', 'When', 'Event'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, list.map((d) => el('tr', { 'data-testid': 'delivery' },
        el('td', { 'data-label': 'Channel' }, d.channel),
        el('td', { 'data-label': 'To' }, d.to),
        el('td', { 'data-label': 'Status' }, el('span', { className: 'status ' + (d.status === 'delivered' ? 'ok' : 'error') }, d.status),
          d.statusCode ? ` HTTP ${d.statusCode}` : '', d.error ? el('span', { className: 'small' }, d.error) : ''),
        el('td', { 'data-label': 'Attempts', className: 'num' }, String(d.attempts)),
        el('td', { 'data-label': 'When' }, when(d.time)),
        el('td', { 'data-label': 'Event' }, d.event)))))));
}

// alertItem is one alert as a list item. o.dismiss(alert, button) is
// called by its Dismiss button, which it has when o.may(alert); o.scope is
// the page's scope: an alert on another names its own.
export function alertItem(a, o = {}) {
  const head = el('div', { className: 'alert-head' },
    el('span', { className: 'status ' + a.state, 'data-testid': 'alert-badge' }, stateWord[a.state] || a.state),
    el('span', { className: 'kind' }, kindWord[a.kind] || a.kind),
    a.scope !== o.scope ? el('span', { className: 'code small', 'data-testid': 'alert-scope' }, a.scope) : null,
    el('span', { className: 'muted small' }, 'fired ' + when(a.fired)));
  const dismiss = o.dismiss && o.may?.(a) ? o.dismiss : null;
  if (dismiss && a.state === 'active') {
    const b = el('button', { type: 'button', className: 'dismiss', 'data-testid': 'alert-dismiss' }, 'Dismiss');
    b.setAttribute('aria-label', 'Dismiss: ' + a.message);
    b.addEventListener('click', () => dismiss(a, b));
    head.append(b);
  }
  const body = [el('p', { className: 'alert-message', 'data-testid': 'alert-message' }, a.message)];
  if (a.budget) body.push(facts(budgetFacts(a.budget)));
  if (a.anomaly) {
    const { facts: f, causes } = anomalyFacts(a.anomaly);
    body.push(facts(f));
    if (causes.length) {
      body.push(el('p', { className: 'causes-title' }, 'Top causes'),
        el('ul', { className: 'causes', 'data-testid': 'anomaly-causes' }, causes.map((c) => el('li', {}, el('span', { className: 'code' }, c.series), ': ', c.text))));
    }
  }
  if (a.state === 'dismissed') body.push(el('p', { className: 'muted small' }, `Dismissed by ${a.dismissedBy || 'someone'} ${when(a.dismissed)}; it stays dismissed while the cost stays over the threshold.`));
  if (a.state === 'resolved') body.push(el('p', { className: 'muted small' }, 'Resolved ' + when(a.resolved) + ': the cost fell back under the threshold.'));
  body.push(deliveries(a.deliveries));
  return el('li', { className: 'alert-item ' + a.state, 'data-testid': 'alert', 'data-id': a.id, 'data-state': a.state, 'data-kind': a.kind,
    'data-budget': a.budget?.budgetId || '' }, head, body);
}

// renderAlerts fills the list with the alerts in the page's order; o is
// alertItem's.
export function renderAlerts(ul, alerts, o) {
  ul.replaceChildren(...sortAlerts(alerts).map((a) => alertItem(a, o)));
}
