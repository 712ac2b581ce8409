-- Other providers' billing accounts and accounts are scopes too
-- (providers/<provider>/billingAccounts/<id>, providers/<provider>/accounts/<id>,
-- the provider as cost.ProviderSlug writes it): named_dims names them.
DROP VIEW named_dims;
CREATE VIEW named_dims AS
SELECT d.* EXCLUDE (SubAccountName, BillingAccountName),
       coalesce(nullif(d.SubAccountName, ''), sub.name) AS SubAccountName,
       coalesce(nullif(d.BillingAccountName, ''), bill.name) AS BillingAccountName
FROM dims d
LEFT JOIN scopes sub ON sub.id = CASE
    WHEN regexp_full_match(d.SubAccountId, '[0-9]{12}') THEN 'aws/accounts/' || d.SubAccountId
    WHEN d.ProviderName IN ('AWS', 'Microsoft', 'Reckon') THEN 'azure/subscriptions/' || lower(d.SubAccountId)
    ELSE 'providers/' || trim(regexp_replace(lower(d.ProviderName), '[^a-z0-9]+', '-', 'g'), '-') || '/accounts/' || d.SubAccountId END
LEFT JOIN scopes bill ON bill.id = CASE
    WHEN d.ProviderName = 'Microsoft' THEN 'azure/billingAccounts/' || d.BillingAccountId
    WHEN d.ProviderName IN ('AWS', 'Reckon') THEN 'aws/billing/' || d.BillingAccountId
    ELSE 'providers/' || trim(regexp_replace(lower(d.ProviderName), '[^a-z0-9]+', '-', 'g'), '-') || '/billingAccounts/' || d.BillingAccountId END;
