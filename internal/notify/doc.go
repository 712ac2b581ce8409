// Package notify delivers budget and anomaly alerts by email and by
// webhook. The caller builds the content; this package only delivers it,
// and says in words what went wrong when it could not.
//
// # Email
//
// SMTP.Send writes one RFC 5322 message (CRLF line endings, a Date from the
// injected Clock, a Message-ID, the Subject Q-encoded when it is not plain
// ASCII, the body quoted-printable UTF-8, and multipart/alternative when an
// HTML alternative is given) and hands it to one SMTP server with the
// standard library's net/smtp. A CR or LF in the Subject or an address is
// refused, so no caller can add a header. At most MaxRecipients (50)
// addresses take one message.
//
// The TLS modes are "none", "starttls" (upgrade, and fail if the server does
// not offer it) and "tls" (implicit TLS, as on port 465). With no mode set,
// port 465 means "tls", port 587 "starttls", and any other port "none".
// With a Username the client authenticates with AUTH PLAIN, which net/smtp
// sends only over TLS or to localhost (127.0.0.1, ::1): a relay elsewhere
// needs "starttls" or "tls".
//
// # Webhooks
//
// Webhook.Post sends a JSON body (and refuses one that is not valid JSON)
// by POST, signed as Stripe signs its events: the Reckon-Signature header
// is "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">", so a
// receiver that checks the time with Verify refuses a replayed request.
// The signature is made afresh, by the Clock, for every try. A Webhook
// with no Secret sends nothing. Each delivery has one Reckon-Delivery ID,
// the same on every try, so the receiver can drop duplicates.
//
// Post tries Attempts (5) times in all. It retries network errors, 408,
// 429 and 5xx, waiting Backoff (2s) and then twice as long each time, up
// to MaxBackoff (5 minutes); a Retry-After on a 429 or 503 sets the wait
// instead, up to the same cap. Any other status, a redirect included, is
// a failure at once: webhooks are not redirected, since a redirect would
// carry the signed body somewhere nobody configured.
//
// The Delivery that Post returns, and every error text, name the URL
// without its userinfo, query string or fragment, which may carry tokens.
// ValidateURL refuses userinfo outright. A token in the path (as in some
// chat services' incoming-webhook URLs) is shown: keep such URLs from
// people who may not post to them.
//
// Secrets (the SMTP password, the webhook's signing secret) never appear
// in an error, and String and GoString hide them.
package notify
