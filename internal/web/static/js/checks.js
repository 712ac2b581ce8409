// A connector's error codes with what to do about each (README's tables),
// and the table of a verification's checks.

import { el } from './admin.js';

export const fixes = {
  FailedToAssumeRole: 'Reckon could not assume the role. Check the role ARN, and that the external ID is the one in the sts:ExternalId condition of the role\'s trust policy, which must also name the AWS account Reckon runs as.',
  AccessDeniedReportDefinitions: 'The role may not read the report definitions: grant cur:DescribeReportDefinitions (reckon aws setup-policy prints the policy).',
  AccessDeniedListReports: 'The role may not list the report\'s bucket: grant s3:ListBucket on it.',
  AccessDeniedDownloadReport: 'The role may not read the report files: grant s3:GetObject under the report\'s prefix.',
  FailedToFindReport: 'No report of that name: check the report name; the report must be created in the management (payer) account.',
  ReportIsNotValid: 'The report does not meet the requirements: hourly, GZIP CSV, with resource IDs (not monthly, ZIP or Parquet).',
  Unauthorized: 'Reckon\'s own AWS credentials were refused: check the credentials of the server.',
  MissingPermission: 'The role lacks a permission the connector needs: attach the policy reckon aws setup-policy prints.',
  DeniedPermission: 'A policy denies a permission the connector needs: remove the deny.',
  ExcessPermission: 'The role is granted more than the connector needs: narrow it to the policy reckon aws setup-policy prints.',
  BroadResource: 'A permission is granted on more resources than needed: narrow it to the report\'s bucket and prefix.',
  CredentialNotFound: 'The environment variable the source names is not set in the server\'s environment: set it where reckon serve runs.',
  AccessDeniedExport: 'The credential cannot list or read the container: grant Storage Blob Data Reader on it, or give a SAS with read and list.',
  ExportNotFound: 'No such container, or no export under the prefix: check the export\'s storage settings.',
  ExportIsNotValid: 'A manifest or file Reckon cannot read: the message says which, and why.',
};

// codeLine is an error code with its fix, in words.
export function codeLine(code, message) {
  const parts = [el('span', { className: 'code' }, code)];
  if (message) parts.push(': ', message);
  const out = [el('div', {}, ...parts)];
  // The API's messages name the fix; a short one gets README's words too.
  if (fixes[code] && (message || '').length < 100) out.push(el('p', { className: 'fix' }, 'What to do: ', fixes[code]));
  return out;
}

const statusWord = { ok: 'OK', warning: 'Warning', error: 'Error', skipped: 'Skipped' };

// renderChecks fills the table with the checks, and says in summary how
// they went.
export function renderChecks(table, summary, checks) {
  table.replaceChildren(
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Check'), el('th', { scope: 'col' }, 'Status'), el('th', { scope: 'col' }, 'What it found'))),
    el('tbody', {}, checks.map((c) => el('tr', { 'data-testid': 'check', 'data-code': c.code || '' },
      el('td', { 'data-label': 'Check' }, c.name),
      el('td', { 'data-label': 'Status' }, el('span', { className: 'status ' + c.status }, statusWord[c.status] || c.status)),
      el('td', { 'data-label': 'Found' }, c.code ? codeLine(c.code, c.message) : c.message)))));
  const errors = checks.filter((c) => c.status === 'error').length;
  const warnings = checks.filter((c) => c.status === 'warning').length;
  summary.textContent = errors ? `${errors === checks.length ? (errors === 1 ? 'The check' : 'Every check') : `${errors} of ${checks.length} checks`} failed: fix ${errors === 1 ? 'it' : 'them'}, then verify again.`
    : warnings ? `Every check passed, with ${warnings} warning${warnings > 1 ? 's' : ''}.` : `All ${checks.length} checks passed.`;
}
