//! Secrets inside strings: a small hand-written scanner for well-known credential shapes (the
//! table is in the docs of [`content`](super)).
//!
//! At each word start (the previous byte is not a letter, digit, `_` or `-`) whose first byte
//! may begin a shape, the shapes are tried in turn. Everything matched is ASCII, so a
//! replacement never splits a UTF-8 character. No allocation unless something matches.

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// A credential recognised by a literal prefix and a run of body characters.
struct Prefixed {
    prefix: &'static [u8],
    body: fn(u8) -> bool,
    min: usize,
    /// Exactly `min` body characters, then the end of the word.
    exact: bool,
}

fn key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

const fn prefixed(prefix: &'static [u8], body: fn(u8) -> bool, min: usize) -> Prefixed {
    Prefixed {
        prefix,
        body,
        min,
        exact: false,
    }
}

const PREFIXED: &[Prefixed] = &[
    prefixed(b"sk-", key_char, 20),
    Prefixed {
        prefix: b"AKIA",
        body: upper_alnum,
        min: 16,
        exact: true,
    },
    Prefixed {
        prefix: b"ASIA",
        body: upper_alnum,
        min: 16,
        exact: true,
    },
    prefixed(b"ghp_", alnum, 30),
    prefixed(b"gho_", alnum, 30),
    prefixed(b"ghu_", alnum, 30),
    prefixed(b"ghs_", alnum, 30),
    prefixed(b"ghr_", alnum, 30),
    prefixed(b"github_pat_", alnum_underscore, 22),
    prefixed(b"xoxb-", key_char, 10),
    prefixed(b"xoxp-", key_char, 10),
    prefixed(b"xoxa-", key_char, 10),
    prefixed(b"xoxr-", key_char, 10),
    prefixed(b"xoxs-", key_char, 10),
    prefixed(b"AIza", key_char, 30),
    prefixed(b"glpat-", key_char, 20),
];

/// Characters of a bearer token (RFC 6750's `b64token`, plus `_`).
fn bearer_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

fn run(bytes: &[u8], from: usize, class: fn(u8) -> bool) -> usize {
    bytes[from..].iter().take_while(|&&b| class(b)).count()
}

/// The byte range to replace if a secret starts at `at` (a word start).
fn secret_at(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let rest = &bytes[at..];
    if rest.len() >= 6 && rest[..6].eq_ignore_ascii_case(b"bearer") {
        let spaces = run(bytes, at + 6, |b| b == b' ' || b == b'\t');
        if spaces > 0 {
            let start = at + 6 + spaces;
            let len = run(bytes, start, bearer_char);
            let token = &bytes[start..start + len];
            if len >= 8 && token.iter().any(|b| !b.is_ascii_alphabetic()) {
                return Some((start, start + len));
            }
        }
        return None;
    }
    if rest.starts_with(b"eyJ") {
        let len = run(bytes, at, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
        });
        let token = bytes[at..at + len].trim_ascii_end();
        let token = match token.iter().rposition(|&b| b != b'.') {
            Some(last) => &token[..=last],
            None => token,
        };
        let segments = token.split(|&b| b == b'.').collect::<Vec<_>>();
        if token.len() >= 30 && segments.len() == 3 && segments[..2].iter().all(|s| !s.is_empty()) {
            return Some((at, at + token.len()));
        }
        return None;
    }
    for shape in PREFIXED {
        if !rest.starts_with(shape.prefix) {
            continue;
        }
        let body_start = at + shape.prefix.len();
        let len = run(bytes, body_start, shape.body);
        if shape.exact {
            let end = body_start + shape.min;
            let word_ends = bytes.get(end).is_none_or(|&b| !b.is_ascii_alphanumeric());
            if len >= shape.min && word_ends {
                return Some((at, end));
            }
        } else if len >= shape.min {
            return Some((at, body_start + len));
        }
    }
    None
}

/// The first bytes of every shape, to skip most word starts with one comparison.
fn may_start(b: u8) -> bool {
    matches!(b, b's' | b'A' | b'g' | b'x' | b'e' | b'b' | b'B')
}

/// Replaces every secret in `text`; `None` when there is none (the common case allocates
/// nothing).
pub(crate) fn scrub(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !key_char(bytes[i - 1]);
        if word_start && may_start(bytes[i]) {
            if let Some((start, end)) = secret_at(bytes, i) {
                let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
                buf.push_str(&text[copied..start]);
                buf.push_str(REDACTED);
                copied = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.map(|mut buf| {
        buf.push_str(&text[copied..]);
        buf
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrubbed(text: &str) -> String {
        scrub(text).unwrap_or_else(|| text.to_owned())
    }

    #[test]
    fn bearer_tokens_keep_the_scheme() {
        assert_eq!(
            scrubbed("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc and more"),
            "Authorization: Bearer [REDACTED] and more"
        );
        assert_eq!(scrubbed("bearer  abc123def456"), "bearer  [REDACTED]");
        assert_eq!(
            scrubbed("-H 'BEARER tok_live_123'"),
            "-H 'BEARER [REDACTED]'"
        );
    }

    #[test]
    fn bearer_in_prose_is_left_alone() {
        for text in [
            "bearer bonds are risky",
            "the bearer instruments",
            "Bearer responsibilities",
            "bearer",
            "forebearer 12345678",
        ] {
            assert_eq!(scrub(text), None, "{text}");
        }
    }

    #[test]
    fn api_keys_by_prefix() {
        let openai = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
        assert_eq!(scrubbed(&format!("key={openai}!")), "key=[REDACTED]!");
        assert_eq!(
            scrubbed("use sk-ant-api03-abcdefghijklmnopqrstuvwxyz now"),
            "use [REDACTED] now"
        );
        assert_eq!(scrubbed("AKIAIOSFODNN7EXAMPLE"), "[REDACTED]");
        assert_eq!(scrubbed("id ASIAIOSFODNN7EXAMPLE."), "id [REDACTED].");
        assert_eq!(
            scrubbed("ghp_0123456789abcdefghijABCDEFGHIJ0123"),
            "[REDACTED]"
        );
        assert_eq!(scrubbed("xoxb-1234567890-abcdef"), "[REDACTED]");
        assert_eq!(
            scrubbed("AIzaSyA-1234567890abcdefghijklmnopqrs"),
            "[REDACTED]"
        );
        assert_eq!(
            scrubbed("jwt: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-x."),
            "jwt: [REDACTED]."
        );
    }

    #[test]
    fn look_alikes_are_left_alone() {
        for text in [
            "pip install sk-learn",
            "task-abcdefghijklmnopqrstuvwxyz0123",
            "AKIA too short",
            "AKIAIOSFODNN7EXAMPLEX",
            "AKIAiosfodnn7example",
            "eyJ not a token",
            "a skeleton key",
            "ghp_short",
        ] {
            assert_eq!(scrub(text), None, "{text}");
        }
    }

    #[test]
    fn a_cut_off_key_still_matches_and_unicode_survives() {
        assert_eq!(
            scrubbed("é sk-abcdefghijklmnopqrstu…[truncated 30 bytes]"),
            "é [REDACTED]…[truncated 30 bytes]"
        );
        assert_eq!(scrubbed("🔑Bearer 12345678🔑"), "🔑Bearer [REDACTED]🔑");
    }
}
