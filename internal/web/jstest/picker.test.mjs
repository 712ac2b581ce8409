// The scope picker names each scope by the form of its ID.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { kindLabel } from '../static/js/picker.js';

test('every form of scope ID has its own label', () => {
  for (const [kind, id, want] of [
    ['ManagementGroup', 'mg/production', 'Management group'],
    ['LinkedAccount', 'aws/accounts/234567890123', 'AWS linked account'],
    ['BillingAccount', 'aws/billing/012345678901', 'AWS billing account'],
    ['Subscription', 'azure/subscriptions/1a2b3c4d-0000-4000-8000-00000000000a', 'Azure subscription'],
    ['BillingAccount', 'azure/billingAccounts/8611537', 'Azure billing account'],
    ['LinkedAccount', 'providers/google-cloud/accounts/reckon-web-prod', 'Google Cloud account'],
    ['BillingAccount', 'providers/google-cloud/billingAccounts/01A2B3-C4D5E6-F7A8B9', 'Google Cloud billing account'],
    ['LinkedAccount', 'providers/oracle/accounts/ocid1.compartment.oc1..aaaa', 'Oracle account'],
    ['Connector', 'connectors/demo-aws', 'Connector'],
  ]) assert.equal(kindLabel({ kind, id }), want, id);
});
