// The budgets page's form: create a budget on the scope, or edit one, with
// up to five notifications. It reads the fields with budgetcalc.readBudget,
// says what is wrong before asking, and shows the API's refusal in words.

import { api } from './api.js';
import { $, busy, say } from './admin.js';
import { fields, maxNotifications, readBudget } from './budgetcalc.js';

let editing = null; // the budget the form edits, or null to create
let serial = 0; // numbers the notification rows' element IDs

// addNotification appends a notification's row, filled from n.
function addNotification(n = {}) {
  const list = $('notifications');
  if (list.children.length >= maxNotifications) return;
  const row = $('notification-template').content.firstElementChild.cloneNode(true);
  const k = ++serial;
  // Each control gets an ID its label names.
  for (const label of row.querySelectorAll('.field > label')) {
    const control = label.nextElementSibling;
    control.id = `n${k}-${control.className.replace(/^n-/, '')}`;
    label.htmlFor = control.id;
  }
  row.dataset.name = n.name || '';
  row.querySelector('.n-enabled').checked = n.enabled !== false;
  row.querySelector('.n-type').value = n.thresholdType || 'Actual';
  row.querySelector('.n-operator').value = n.operator || 'GreaterThan';
  row.querySelector('.n-threshold').value = n.threshold ?? '';
  row.querySelector('.n-emails').value = n.emails || '';
  for (const box of row.querySelectorAll('.n-roles input')) box.checked = (n.roles || []).includes(box.value);
  row.querySelector('.n-webhooks').value = n.webhooks || '';
  row.querySelector('.n-remove').addEventListener('click', () => { row.remove(); renumber(); });
  list.append(row);
  renumber();
}

// renumber titles the rows 1…n and names their Remove buttons.
function renumber() {
  const rows = [...$('notifications').children];
  rows.forEach((row, i) => {
    row.querySelector('.notification-title').textContent = `Notification ${i + 1}`;
    row.querySelector('.n-remove').setAttribute('aria-label', `Remove notification ${i + 1}`);
    row.querySelector('.n-roles legend').textContent = `Roles on the scope to tell (notification ${i + 1})`;
  });
  $('add-notification').disabled = rows.length >= maxNotifications;
  $('notifications-empty').hidden = rows.length > 0;
}

// read is what the form holds, as budgetcalc.readBudget takes it.
function read() {
  const f = $('form').elements;
  return {
    name: f.name.value, amount: f.amount.value, currency: f.currency.value, timeGrain: f.timeGrain.value,
    startMonth: f.startMonth.value, measure: f.measure.value, filter: f.filter.value,
    notifications: [...$('notifications').children].map((row) => ({
      name: row.dataset.name || undefined,
      enabled: row.querySelector('.n-enabled').checked,
      thresholdType: row.querySelector('.n-type').value,
      operator: row.querySelector('.n-operator').value,
      threshold: row.querySelector('.n-threshold').value,
      emails: row.querySelector('.n-emails').value,
      roles: [...row.querySelectorAll('.n-roles input:checked')].map((b) => b.value),
      webhooks: row.querySelector('.n-webhooks').value,
    })),
  };
}

// open shows the form: empty to create (month is the current one), or
// filled from the budget b to edit it.
export function open(b, month) {
  editing = b;
  $('form').reset();
  $('notifications').replaceChildren();
  const f = b ? fields(b) : { timeGrain: 'Monthly', startMonth: month, measure: 'BilledCost',
    notifications: [{ thresholdType: 'Actual', operator: 'GreaterThan', threshold: '80', roles: ['Owner'] }] };
  const el = $('form').elements;
  for (const k of ['name', 'amount', 'currency', 'timeGrain', 'startMonth', 'measure', 'filter']) el[k].value = f[k] ?? '';
  f.notifications.forEach(addNotification);
  renumber();
  $('form-title').textContent = b ? `Edit ${b.name}` : 'Create a budget';
  $('form-submit').textContent = b ? 'Save' : 'Create';
  say($('form-error'), '');
  $('form-panel').hidden = false;
  $('b-name').focus();
}

// close hides the form; focus, when given, goes back to the button that
// opened it.
export function close(focus) {
  $('form-panel').hidden = true;
  editing = null;
  if (focus) $('new-button').focus();
}

// wire sets the form's events: saved(budget) is called after the API
// accepted a create or an edit.
export function wire(scope, saved) {
  $('add-notification').addEventListener('click', () => {
    addNotification({ thresholdType: 'Actual', operator: 'GreaterThan', threshold: '100' });
    $('notifications').lastElementChild?.querySelector('.n-threshold').focus();
  });
  $('form-cancel').addEventListener('click', () => close(true));
  $('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const { body, errors } = readBudget(read(), { scope: scope(), editing: !!editing });
    if (errors.length) {
      say($('form-error'), errors.join(' '));
      return;
    }
    await busy($('form-submit'), $('form-error'), async () => {
      const b = editing
        ? await api('PATCH', '/api/v1/budgets/' + encodeURIComponent(editing.id), body)
        : await api('POST', '/api/v1/budgets', body);
      close();
      await saved(b);
    });
  });
}
