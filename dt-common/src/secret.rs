//! Credentials never reach an output. Every password of a task (in a URL's `user:password@`,
//! in a `password=` query parameter) is registered when the config is read, and [`redact`]
//! masks them, and any URL password it recognises, in text before dt writes it anywhere:
//! stderr, stdout, default.log, the summary and `--verify` output.

use std::sync::RwLock;

/// Passwords of this process's task, as written and percent-decoded.
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Query parameters whose value is a password.
const PASSWORD_PARAMS: &[&str] = &["password", "pass", "pwd", "passwd"];

/// Shorter registered secrets are masked only where they stand in a URL or a parameter:
/// masking every "ab" in every message would make the messages unreadable.
const MIN_FREE_SECRET: usize = 4;

/// Registers a password, so that [`redact`] masks it wherever it appears.
pub fn register(secret: &str) {
    if secret.is_empty() {
        return;
    }
    let mut all = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    for s in [secret.to_string(), percent_decode(secret)] {
        if !all.contains(&s) {
            all.push(s);
        }
    }
    // Longest first, so that a secret holding another is masked whole.
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Registers the passwords a connection URL carries.
pub fn register_url(url: &str) {
    for (start, end) in url_password_spans(url) {
        register(&url[start..end]);
    }
}

/// `text` with every password masked as `***`: those of URLs and `password=` parameters
/// found in it, and every registered one.
pub fn redact(text: &str) -> String {
    let mut spans = url_password_spans(text);
    spans.sort();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        if start >= at {
            out.push_str(&text[at..start]);
            out.push_str("***");
            at = end;
        }
    }
    out.push_str(&text[at..]);
    let secrets = SECRETS.read().unwrap_or_else(|p| p.into_inner());
    for s in secrets.iter().filter(|s| s.len() >= MIN_FREE_SECRET) {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

/// Byte ranges of passwords in `text`: after `scheme://user:` up to the last `@` of the
/// URL's authority, and the values of password query parameters.
fn url_password_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        let token_end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '\'' | '"' | '<' | '>'))
            .map_or(text.len(), |e| start + e);
        let token = &text[start..token_end];
        if let Some(at) = token.rfind('@') {
            if let Some(colon) = token[..at].find(':') {
                spans.push((start + colon + 1, start + at));
            }
        }
        from = start;
    }
    let lower = text.to_ascii_lowercase();
    for name in PASSWORD_PARAMS {
        let key = format!("{name}=");
        let mut from = 0;
        while let Some(i) = lower[from..].find(&key) {
            let begin = from + i;
            from = begin + key.len();
            let preceded = begin == 0 || matches!(lower.as_bytes()[begin - 1], b'?' | b'&' | b';');
            if !preceded {
                continue;
            }
            let end = text[from..]
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '&' | ';' | '`' | '\'' | '"' | '<' | '>')
                })
                .map_or(text.len(), |e| from + e);
            if end > from {
                spans.push((from, end));
            }
        }
    }
    spans
}

/// `%XX` sequences decoded; anything else kept as it is.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_masked_wherever_they_stand() {
        assert_eq!(
            redact("invalid value for sinker.url: mysq://user:S3cr3t!pw@127.0.0.1:3318"),
            "invalid value for sinker.url: mysq://user:***@127.0.0.1:3318"
        );
        assert_eq!(
            redact("at `postgres://u:p@ss:w@h/db?sslmode=disable` now"),
            "at `postgres://u:***@h/db?sslmode=disable` now"
        );
        assert_eq!(
            redact("mysql://root@h:3306/db?password=hunter2&ssl-mode=x"),
            "mysql://root@h:3306/db?password=***&ssl-mode=x"
        );
        assert_eq!(redact("mysql://root@h:3306"), "mysql://root@h:3306");
        assert_eq!(redact("a password= b"), "a password= b");
    }

    #[test]
    fn registered_secrets_are_masked_also_outside_urls() {
        register_url("postgres://u:Zq%21long-secret@h/db");
        let text = "driver said: password authentication failed (Zq!long-secret)";
        assert_eq!(
            redact(text),
            "driver said: password authentication failed (***)"
        );
        register("ab");
        assert_eq!(redact("table ab"), "table ab");
    }
}
